import { useEffect, useState } from 'react';

let hydrated = false;

/**
 * False on the server and during the browser's first (hydrating) render, true after: for what can only
 * render in a browser (charts measure the DOM), so the server's HTML and the first render agree.
 */
export function useHydrated(): boolean {
  const [isHydrated, setHydrated] = useState(hydrated);
  useEffect(() => {
    hydrated = true;
    setHydrated(true);
  }, []);
  return isHydrated;
}
