// Removes uploaded images nobody uses: older than a day and named by no post that is not canceled (never
// attached, taken out of a post, or only in canceled posts; a deleted draft names nothing). Run by the
// post sweep's Schedule (workflows/post-sweep.ts). Rows and files go together, in one transaction per
// batch: the rows are deleted, then their files, then the transaction commits. A crash before the commit
// leaves the rows (pointing at files maybe gone, of images nobody uses), which the next run removes; so a
// file is never left without its row, and running it twice is harmless.
import { Context } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import { activityLog } from '../lib/activity-telemetry.js';
import type { MediaStorage } from '../lib/media-storage.js';

/** An image not attached this long after its upload is considered abandoned. */
const UNUSED_MEDIA_HOURS = 24;
const BATCH = 200;

export interface MediaCleanupDeps {
  db: DataSource;
  /** Absent on a worker without media storage: nothing is removed. */
  mediaStorage?: MediaStorage;
}

// Used: named by a post that may still be shown, published or retried (anything but canceled).
const UNUSED = `m.created_at < now() - make_interval(hours => $1)
  AND NOT EXISTS (SELECT 1 FROM posts p WHERE p.media_ids @> ARRAY[m.id] AND p.status <> 'canceled')`;

export function mediaCleanupActivities(deps: MediaCleanupDeps) {
  return {
    async removeUnusedMedia(): Promise<{ removed: number }> {
      const storage = deps.mediaStorage;
      if (!storage) return { removed: 0 };
      let removed = 0;
      for (;;) {
        const keys = await deps.db.transaction(async (tx) => {
          // The rows are locked first (skipping any a post being saved holds: api/posts.ts takes KEY SHARE
          // on the images it names), then checked again by a new statement, which sees every post
          // committed while it waited: an image attached meanwhile is kept.
          const locked: { id: number }[] = await tx.query(
            `SELECT m.id FROM media m WHERE ${UNUSED} ORDER BY m.id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
            [UNUSED_MEDIA_HOURS],
          );
          if (locked.length === 0) return { batch: 0, gone: [] as string[] };
          // TypeORM answers a DELETE ... RETURNING with [rows, count].
          const [rows] = await tx.query<[{ storage_key: string }[], number]>(
            `DELETE FROM media m WHERE m.id = ANY($2) AND ${UNUSED} RETURNING m.storage_key`,
            [UNUSED_MEDIA_HOURS, locked.map((r) => r.id)],
          );
          for (const row of rows) await storage.delete(row.storage_key);
          return { batch: locked.length, gone: rows.map((r) => r.storage_key) };
        });
        removed += keys.gone.length;
        heartbeat();
        if (keys.batch < BATCH) break;
      }
      if (removed > 0) activityLog().info('unused media removed', { event_type: 'media_removed', removed });
      return { removed };
    },
  };
}

function heartbeat(): void {
  try {
    Context.current().heartbeat();
  } catch {
    // outside an activity
  }
}
