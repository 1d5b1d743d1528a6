import { useEffect, useRef } from 'react';
import { useNavigation, useRevalidator } from '@remix-run/react';

/**
 * Reloads the page's data every `intervalMs` while the tab is visible, and at once when the tab comes
 * back into view; `null` turns it off. Skips a tick while a navigation or reload is already under way.
 */
export function useAutoRevalidate(intervalMs: number | null): void {
  const revalidator = useRevalidator();
  const navigation = useNavigation();
  const busy = useRef(false);
  busy.current = revalidator.state !== 'idle' || navigation.state !== 'idle';
  const revalidate = revalidator.revalidate;

  useEffect(() => {
    if (!intervalMs) return;
    const tick = () => {
      if (document.visibilityState === 'visible' && !busy.current) revalidate();
    };
    const timer = window.setInterval(tick, intervalMs);
    document.addEventListener('visibilitychange', tick);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', tick);
    };
  }, [intervalMs, revalidate]);
}
