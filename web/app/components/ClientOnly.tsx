import type { ReactNode } from 'react';
import { useHydrated } from '../hooks/use-hydrated.js';

/** Renders `children` only in the browser, after hydration; `fallback` on the server and before. */
export function ClientOnly({ children, fallback = null }: { children: () => ReactNode; fallback?: ReactNode }) {
  return useHydrated() ? <>{children()}</> : <>{fallback}</>;
}
