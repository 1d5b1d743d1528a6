import { Form } from '@remix-run/react';
import { useEffect, useId, useRef, useState } from 'react';
import { SubmitButton } from './SubmitButton.js';

/** Disconnect takes two steps: "Disconnect", then an explicit "Yes, disconnect" (Escape or Cancel backs out). */
export function DisconnectControl({
  platform,
  displayName,
  accountId,
  who,
  here,
}: {
  platform: string;
  displayName: string;
  accountId: string;
  who: string;
  here: string;
}) {
  const [confirming, setConfirming] = useState(false);
  const panelId = useId();
  const titleId = useId();
  const panelRef = useRef<HTMLDivElement>(null);
  const openerRef = useRef<HTMLButtonElement>(null);
  const opened = useRef(false);

  useEffect(() => {
    if (confirming) {
      opened.current = true;
      panelRef.current?.focus();
    } else if (opened.current) {
      openerRef.current?.focus();
    }
  }, [confirming]);

  return (
    <>
      {!confirming && (
        <button
          ref={openerRef}
          type="button"
          className="button button--quiet-danger"
          aria-expanded={false}
          aria-controls={panelId}
          onClick={() => setConfirming(true)}
        >
          Disconnect
          <span className="visually-hidden">
            {' '}
            {displayName} {who}
          </span>
        </button>
      )}
      <div
        id={panelId}
        ref={panelRef}
        className="confirm"
        role="group"
        aria-labelledby={titleId}
        tabIndex={-1}
        hidden={!confirming}
        onKeyDown={(event) => {
          if (event.key === 'Escape') setConfirming(false);
        }}
      >
        <p id={titleId} className="confirm__title">
          Disconnect {who} from {displayName}?
        </p>
        <p className="muted">
          Social Sync stops syncing it and revokes its access at {displayName}. Posts and metrics already synced are kept. You can connect
          it again at any time.
        </p>
        <Form method="post" action={here} className="confirm__actions">
          <input type="hidden" name="intent" value="disconnect" />
          <input type="hidden" name="platform" value={platform} />
          <input type="hidden" name="account_id" value={accountId} />
          <input type="hidden" name="account_name" value={who} />
          <input type="hidden" name="confirm" value="yes" />
          <SubmitButton label="Yes, disconnect" intent="disconnect" accountId={accountId} danger />
          <button type="button" className="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </Form>
      </div>
    </>
  );
}
