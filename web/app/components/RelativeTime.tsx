import { formatDateTime, timeAgo } from '../format.js';

/** "5 minutes ago", with the exact time on hover and for assistive tech via <time>. */
export function RelativeTime({ iso, now, fallback = 'Never' }: { iso: string | null | undefined; now: number; fallback?: string }) {
  const relative = timeAgo(iso, now);
  if (!iso || !relative) return <>{fallback}</>;
  const exact = formatDateTime(iso);
  return (
    <time dateTime={iso} title={exact}>
      {relative}
    </time>
  );
}
