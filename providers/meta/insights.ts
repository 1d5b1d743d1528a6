// Graph's shared shapes for content: cursor-paged lists (`data` + `paging{cursors{after}, next}`, no
// `next` on the last page) and insights (`{data:[{name, values:[{value}]}]}`; missing data is an empty
// set, not 0).
import { z } from 'zod';

export const paging = z.object({ next: z.string().optional(), cursors: z.object({ after: z.string().optional() }).optional() }).optional();

export const insightsAnswer = z.object({
  data: z.array(z.object({ name: z.string(), values: z.array(z.object({ value: z.unknown() })).optional() })),
});

export function insightValues(body: z.output<typeof insightsAnswer>): Record<string, unknown> {
  return Object.fromEntries(body.data.map((m) => [m.name, m.values?.[0]?.value]));
}

export const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export function nextCursor(page: z.output<typeof paging>): string | null {
  return page?.next ? (page.cursors?.after ?? null) : null;
}
