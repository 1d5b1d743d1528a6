import type { Section } from '../api.server.js';
import { withPlatformNames } from '../connect-messages.js';
import type { SyncHistory } from '../endpoints.server.js';
import { accountName, formatCount, formatPercent } from '../format.js';
import { platformDisplayName } from '../platforms.js';
import { runStatusLabel, triggerLabel } from '../status.js';
import { RelativeTime } from './RelativeTime.js';
import { SectionProblem } from './SectionProblem.js';
import { StatusBadge } from './StatusBadge.js';

/** The last sync runs, newest first (GET /analytics/sync-history). */
export function SyncHistoryTable({ section, now, limit }: { section: Section<SyncHistory>; now: number; limit: number }) {
  return (
    <section className="panel section" aria-labelledby="sync-history-title">
      <div className="panel__header">
        <h2 id="sync-history-title">Recent syncs</h2>
        {section.state === 'ready' && section.data.history.length > 0 && (
          <p className="muted">
            Latest {Math.min(limit, section.data.history.length)} of {formatCount(section.data.total_syncs)}
          </p>
        )}
      </div>
      {section.state !== 'ready' ? (
        <SectionProblem section={section} what="Sync history" />
      ) : section.data.history.length === 0 ? (
        <p className="empty-state">No syncs yet. Each sync run will be listed here with what it brought in.</p>
      ) : (
        // A keyboard-focusable scroll region, so the wide table can be scrolled without a mouse on small screens.
        <div className="table-scroll" role="region" aria-labelledby="sync-history-title" tabIndex={0}>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Account</th>
                <th scope="col">Started by</th>
                <th scope="col">Status</th>
                <th scope="col" className="numeric">
                  Posts
                </th>
                <th scope="col" className="numeric">
                  Impressions
                </th>
                <th scope="col" className="numeric">
                  Engagements
                </th>
                <th scope="col" className="numeric">
                  Engagement rate
                </th>
              </tr>
            </thead>
            <tbody>
              {section.data.history.map((run) => (
                <tr key={run.id} data-job-id={run.job_id ?? undefined} data-status={run.status}>
                  <td>
                    <RelativeTime iso={run.timestamp} now={now} fallback="—" />
                  </td>
                  <td>
                    <span className="history-platform">{run.platform === 'all' ? 'All platforms' : platformDisplayName(run.platform)}</span>
                    {run.username && <span className="history-account muted">{accountName(run.username)}</span>}
                  </td>
                  <td>
                    {triggerLabel(run.trigger)}
                    {/* An incremental run reads new and recent posts only: its numbers are for those. */}
                    {run.full_rescan != null && (
                      <span className="history-account muted">{run.full_rescan ? 'All posts' : 'New and recent posts'}</span>
                    )}
                  </td>
                  <td>
                    <StatusBadge status={runStatusLabel(run.status)} />
                    {run.error_message && <span className="history-error">{withPlatformNames(run.error_message)}</span>}
                  </td>
                  <td className="numeric">{formatCount(run.posts_synced)}</td>
                  <td className="numeric">{formatCount(run.metrics?.impressions)}</td>
                  <td className="numeric">{formatCount(run.metrics?.engagements)}</td>
                  <td className="numeric">{formatPercent(run.metrics?.engagement_rate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
