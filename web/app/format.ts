// Dates and numbers as the dashboard writes them. Deterministic (fixed locale, UTC, `now` passed in) so
// the server's HTML and the browser's first render agree.

const UNITS: [unit: string, seconds: number][] = [
  ['year', 365 * 86_400],
  ['month', 30 * 86_400],
  ['week', 7 * 86_400],
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
];

/** "just now", "5 minutes ago", "in 3 days". Returns undefined for a missing or unreadable time. */
export function timeAgo(iso: string | null | undefined, now: number): string | undefined {
  const at = parseTime(iso);
  if (at === undefined) return undefined;
  const seconds = Math.round((at - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  for (const [unit, size] of UNITS) {
    if (abs >= size || unit === 'minute') {
      const count = Math.max(1, Math.round(abs / size));
      const phrase = `${count} ${unit}${count === 1 ? '' : 's'}`;
      return seconds < 0 ? `${phrase} ago` : `in ${phrase}`;
    }
  }
  return undefined;
}

/** "2024-01-15 10:30 UTC". */
export function formatDateTime(iso: string | null | undefined): string | undefined {
  const at = parseTime(iso);
  if (at === undefined) return undefined;
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** A time the API sent without a zone (the seed did: "2024-01-15T10:30:00") is read as UTC. */
export function parseTime(iso: string | null | undefined): number | undefined {
  if (!iso) return undefined;
  const withZone = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(iso) || !iso.includes('T') ? iso : `${iso}Z`;
  const at = Date.parse(withZone);
  return Number.isNaN(at) ? undefined : at;
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** "15,000"; a dash for a missing number. */
export function formatCount(value: number | null | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? integer.format(value) : '—';
}

/** "3.2%" from a value that is already a percentage (the seed's engagement_rate: 3.2 means 3.2%). */
export function formatPercent(value: number | null | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? `${value.toFixed(1)}%` : '—';
}

/** "expires in 2 hours", "expired 5 minutes ago", "does not expire" (no expiry). */
export function expiryPhrase(iso: string | null | undefined, now: number): string {
  if (!iso) return 'does not expire';
  const relative = timeAgo(iso, now);
  if (!relative) return 'expiry unknown';
  const at = parseTime(iso)!;
  if (at <= now) return relative === 'just now' ? 'expired just now' : `expired ${relative}`;
  return relative === 'just now' ? 'expires in less than a minute' : `expires ${relative}`;
}

const HANDLE = /^[A-Za-z0-9_.]{1,64}$/;

/** "@sandbox_x" for a handle; a name with spaces (a Facebook Page's) as it is; undefined for none. */
export function accountName(username: string | null | undefined): string | undefined {
  if (!username) return undefined;
  return HANDLE.test(username) ? `@${username}` : username;
}
