// How a running sync is described: the progress bar's value and the sentence beside it
// ("Fetching posts and metrics — 150 posts — about 3 s left"). Shared by server and browser.
import { formatCount } from './format.js';

/** The fields of GET /analytics/sync-progress/{job_id} this needs. */
export interface ProgressView {
  status: string;
  progress: number;
  current_step?: string | null;
  posts_done?: number | null;
  posts_total?: number | null;
  estimated_time_remaining?: number | null;
  error_message?: string | null;
}

/** How often the sync status reloads: every 2 s while something syncs, else every 30 s. */
export const STATUS_REFRESH_MS = { idle: 30_000, syncing: 2_000 } as const;
/** How often a running job's progress is asked for. */
export const PROGRESS_POLL_MS = 1_000;

export function isFinished(status: string): boolean {
  return status === 'completed' || status === 'failed' || status === 'success' || status === 'error';
}

export function isFailed(status: string): boolean {
  return status === 'failed' || status === 'error';
}

/** 0..100, whole numbers; a finished job is 100 whatever the API computed on the way. */
export function progressPercent(view: Pick<ProgressView, 'status' | 'progress'>): number {
  if (view.status === 'completed' || view.status === 'success') return 100;
  const value = Number.isFinite(view.progress) ? Math.round(view.progress) : 0;
  return Math.min(100, Math.max(0, value));
}

/** "about 3 s left", "about 2 min left", "about 1 h left"; nothing when there is no estimate. */
export function etaText(seconds: number | null | undefined): string | undefined {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) return undefined;
  if (seconds < 60) return `about ${Math.max(1, Math.round(seconds))} s left`;
  if (seconds < 3600) return `about ${Math.round(seconds / 60)} min left`;
  return `about ${Math.round(seconds / 3600)} h left`;
}

function postsText(done: number | null | undefined, total: number | null | undefined): string | undefined {
  const hasDone = typeof done === 'number' && done > 0;
  if (typeof total === 'number' && total > 0) {
    return `${formatCount(hasDone ? done : 0)} of ${formatCount(total)} post${total === 1 ? '' : 's'}`;
  }
  return hasDone ? `${formatCount(done)} post${done === 1 ? '' : 's'}` : undefined;
}

/** The sentence beside the bar. */
export function progressText(view: ProgressView): string {
  if (isFailed(view.status)) {
    return ['Failed', view.error_message?.trim() || undefined].filter(Boolean).join(' — ');
  }
  if (isFinished(view.status)) {
    return ['Completed', postsText(view.posts_done, null)].filter(Boolean).join(' — ');
  }
  const step = view.current_step?.trim() || 'Working';
  return [step, postsText(view.posts_done, view.posts_total), etaText(view.estimated_time_remaining)].filter(Boolean).join(' — ');
}

/** What a screen reader hears when the step changes (not at every percent). */
export function progressAnnouncement(platformName: string, view: ProgressView): string {
  if (isFailed(view.status)) return `${platformName} sync failed.`;
  if (isFinished(view.status)) return `${platformName} sync completed.`;
  return `${platformName} sync: ${view.current_step?.trim() || 'working'}.`;
}

/** What the progress resource route answers (always 200). */
export type ProgressResult =
  { ok: true; progress: ProgressView & { job_id: string } } | { ok: false; status: number; code: string; message: string };
