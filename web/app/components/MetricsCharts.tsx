// Impressions and engagements per day and platform (GET /analytics/timeseries), as line charts drawn in
// the browser only, each with a title and a visually hidden table of the same numbers for screen readers
// (and for anyone before the chart has loaded).
import { lazy, Suspense } from 'react';
import type { Section } from '../api.server.js';
import { chartData, shortDate, type Metric, type TimeseriesPoint } from '../chart-data.js';
import { formatCount } from '../format.js';
import { platformDisplayName } from '../platforms.js';
import { ClientOnly } from './ClientOnly.js';
import { SectionProblem } from './SectionProblem.js';

const MetricLineChart = lazy(() => import('./MetricLineChart.client.js'));

export function MetricsCharts({ section, days }: { section: Section<{ points: TimeseriesPoint[] }>; days: number }) {
  return (
    <section className="panel section" aria-labelledby="charts-title">
      <div className="panel__header">
        <h2 id="charts-title">Performance over time</h2>
        <p className="muted">Last {days} days, by the day posts were published</p>
      </div>
      {section.state !== 'ready' ? (
        <SectionProblem section={section} what="Metrics over time" />
      ) : section.data.points.length === 0 ? (
        <p className="empty-state">No posts in the last {days} days yet. Charts appear here after the first sync brings posts in.</p>
      ) : (
        <div className="chart-grid">
          <MetricChart points={section.data.points} metric="impressions" label="Impressions" days={days} />
          <MetricChart points={section.data.points} metric="engagements" label="Engagements" days={days} />
        </div>
      )}
    </section>
  );
}

function MetricChart({ points, metric, label, days }: { points: TimeseriesPoint[]; metric: Metric; label: string; days: number }) {
  const { rows, platforms } = chartData(points, metric);
  const titleId = `chart-${metric}-title`;
  const title = `${label} per day`;
  const total = rows.reduce((sum, row) => sum + platforms.reduce((s, p) => s + (Number(row[p]) || 0), 0), 0);
  const description = `${label} per day over the last ${days} days, one line per platform (${platforms
    .map((p) => platformDisplayName(p))
    .join(', ')}); ${formatCount(total)} in total. The table below has the numbers.`;
  const placeholder = (
    <div className="chart__placeholder" aria-hidden="true">
      Loading chart…
    </div>
  );
  return (
    <figure className="chart" aria-labelledby={titleId} data-metric={metric}>
      <figcaption className="chart__caption">
        <h3 id={titleId}>{title}</h3>
        <p className="muted">{formatCount(total)} in total</p>
      </figcaption>
      <div className="chart__canvas" data-testid={`chart-${metric}`}>
        <ClientOnly fallback={placeholder}>
          {() => (
            <Suspense fallback={placeholder}>
              <MetricLineChart rows={rows} platforms={platforms} title={title} description={description} />
            </Suspense>
          )}
        </ClientOnly>
      </div>
      {/* In a wrapper: a table box ignores the overflow and width that hide things visually. */}
      <div className="visually-hidden">
        <table>
          <caption>
            {title} by platform, last {days} days
          </caption>
          <thead>
            <tr>
              <th scope="col">Date</th>
              {platforms.map((p) => (
                <th key={p} scope="col">
                  {platformDisplayName(p)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.date}>
                <th scope="row">{shortDate(row.date)}</th>
                {platforms.map((p) => (
                  <td key={p}>{formatCount(Number(row[p]))}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
