// The recharts line chart itself. Browser only (`.client`): loaded lazily by MetricsCharts after
// hydration, so recharts is never part of the server build nor of the page's first script.
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { compactNumber, shortDate, type ChartRow } from '../chart-data.js';
import { formatCount } from '../format.js';
import { platformColor, platformDisplayName } from '../platforms.js';

// Lines differ by dash as well as colour, so they can be told apart without colour.
const DASHES = [undefined, '6 3', '2 3', '8 3 2 3'];

export default function MetricLineChart({
  rows,
  platforms,
  title,
  description,
}: {
  rows: ChartRow[];
  platforms: string[];
  title: string;
  description: string;
}) {
  return (
    <ResponsiveContainer width="100%" height={260}>
      <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 0 }} title={title} desc={description}>
        <CartesianGrid stroke="#e5e7eb" strokeDasharray="3 3" />
        <XAxis dataKey="date" tickFormatter={shortDate} minTickGap={24} tick={{ fill: '#4b5563', fontSize: 12 }} />
        <YAxis
          tickFormatter={compactNumber}
          width={48}
          tick={{ fill: '#4b5563', fontSize: 12 }}
          allowDecimals={false}
        />
        <Tooltip
          labelFormatter={(label) => shortDate(String(label))}
          formatter={(value, name) => [formatCount(Number(value)), String(name)]}
        />
        <Legend />
        {platforms.map((platform, i) => (
          <Line
            key={platform}
            type="monotone"
            dataKey={platform}
            name={platformDisplayName(platform)}
            stroke={platformColor(platform)}
            strokeDasharray={DASHES[i % DASHES.length]}
            strokeWidth={2}
            dot={false}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}
