import { useEffect, useRef, type ReactNode } from 'react';
import type { BannerTone } from '../connect-messages.js';

/**
 * An outcome message at the top of a page: success and information as a polite status, problems as an
 * alert. With `focus`, it takes the keyboard focus when it appears (or its `focusKey` changes), so a
 * keyboard or screen reader user lands on the outcome of what they just did (the button they used may
 * be gone, e.g. after a disconnect).
 */
export function Banner({
  tone,
  title,
  children,
  focus = false,
  focusKey,
  testId,
}: {
  tone: BannerTone;
  title: string;
  children?: ReactNode;
  focus?: boolean;
  focusKey?: unknown;
  testId?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (focus) ref.current?.focus();
  }, [focus, focusKey]);
  const alert = tone === 'danger';
  return (
    <div
      ref={ref}
      className={`banner banner--${tone}`}
      role={alert ? 'alert' : 'status'}
      tabIndex={focus ? -1 : undefined}
      data-testid={testId}
      data-tone={tone}
    >
      <span className="banner__icon" aria-hidden="true" />
      <div className="banner__body">
        <p className="banner__title">{title}</p>
        {children}
      </div>
    </div>
  );
}
