import { useFetcher } from '@remix-run/react';
import type { PostsActionResult } from '../posts.server.js';

/**
 * The business's time zone, and a form to change it: the zone the composer schedules in and the
 * calendar and lists show times in. A fetcher, so changing it keeps what is typed in the composer.
 */
export function TimeZoneSetting({
  businessId,
  timeZone,
  zones,
}: {
  businessId: number;
  timeZone: string;
  /** From the server's Intl, so the server's and the browser's lists agree. */ zones: string[];
}) {
  const fetcher = useFetcher<PostsActionResult>({ key: `time-zone:${businessId}` });
  const result = fetcher.state === 'idle' ? fetcher.data : undefined;
  const saving = fetcher.state !== 'idle';
  return (
    <details className="time-zone" id="time-zone">
      <summary>
        Time zone: <strong data-testid="business-time-zone">{timeZone}</strong>
      </summary>
      <fetcher.Form method="post" action={`/b/${businessId}/posts?index`} className="time-zone__form">
        <input type="hidden" name="intent" value="time_zone" />
        <label htmlFor="time-zone-select">Schedule and show times in</label>
        <select id="time-zone-select" name="time_zone" defaultValue={timeZone} key={timeZone}>
          {zones.map((zone) => (
            <option key={zone} value={zone}>
              {zone.replace(/_/g, ' ')}
            </option>
          ))}
        </select>
        <button type="submit" className="button" aria-busy={saving || undefined}>
          {saving && <span className="spinner" aria-hidden="true" />}
          Save time zone
        </button>
      </fetcher.Form>
      <p role="status" className={result && !result.ok ? 'field-error' : 'muted'}>
        {result ? `${result.title}. ${result.message}` : 'Posts already scheduled keep their moment in time when the zone changes.'}
      </p>
    </details>
  );
}
