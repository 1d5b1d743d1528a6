import { Form } from '@remix-run/react';
import { useState } from 'react';

/** Connect and Reconnect: a full-page POST, answered with a 302 to the provider's consent page. */
export function ConnectButton({
  platform,
  label,
  hiddenLabel,
  here,
  primary = false,
}: {
  platform: string;
  label: string;
  hiddenLabel?: string;
  here: string;
  primary?: boolean;
}) {
  const [leaving, setLeaving] = useState(false);
  return (
    <Form method="post" action={here} reloadDocument className="inline-form" onSubmit={() => setLeaving(true)}>
      <input type="hidden" name="intent" value="connect" />
      <input type="hidden" name="platform" value={platform} />
      <button type="submit" className={`button ${primary ? 'button--primary' : ''}`} aria-busy={leaving || undefined}>
        {label}
        {hiddenLabel && <span className="visually-hidden">{hiddenLabel}</span>}
      </button>
    </Form>
  );
}
