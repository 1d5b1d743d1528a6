// What the business layout (routes/b.$businessId.tsx) hands its pages: the business, checked against the
// user's memberships, and the user. Pages read it with useBusiness() instead of loading it again.
import { useOutletContext } from '@remix-run/react';

export interface BusinessContext {
  business: { id: number; name: string; role: string; time_zone?: string | null };
  user: { email: string; name: string };
}

export function useBusiness(): BusinessContext {
  return useOutletContext<BusinessContext>();
}

const BUSINESS_LAYOUT_ROUTE_ID = 'routes/b.$businessId';

/** "Connections · Demo Coffee Co. · Social Sync", for a page under the business layout. */
export function businessPageTitle(matches: readonly { id: string; data?: unknown }[], page: string): string {
  const layout = matches.find((m) => m.id === BUSINESS_LAYOUT_ROUTE_ID)?.data as { business?: { name?: string } } | undefined;
  return [page, layout?.business?.name, 'Social Sync'].filter(Boolean).join(' · ');
}

/** The business id in a page URL, or undefined when it is not one (then the page is a 404). */
export function parseBusinessId(raw: string | undefined): number | undefined {
  return raw && /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : undefined;
}
