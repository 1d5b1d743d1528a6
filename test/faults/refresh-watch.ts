// Watches the refresh journal (decision 012) once a second: each time an account's refresh_started_at
// moves, a refresh attempt began; it began "after expiry" when that moment is past the token_expires_at
// the account had just before it. Polling misses nothing that matters: a refresh cannot begin while
// Postgres is down (the journal is written first), and refreshes of one account are minutes apart.
import type { DataSource } from 'typeorm';

export interface RefreshFacts {
  /** Refresh attempts seen, by account. */
  attempts: Map<number, number>;
  afterExpiry: { accountId: number; platform: string; startedAt: Date; expiredAt: Date }[];
  /** Every refresh seen, in order (the scale benchmark's lateness). */
  refreshes: RefreshSeen[];
}

interface RefreshSeen {
  accountId: number;
  platform: string;
  startedAt: Date;
  /** Seconds after the refresh the dashboard's projection planned (next_refresh_at) just before it began. */
  lateSeconds: number | null;
  afterExpiry: boolean;
}

interface Row {
  id: number;
  platform: string;
  token_expires_at: Date | null;
  refresh_started_at: Date | null;
  next_refresh_at: Date | null;
}

export class RefreshWatch {
  private readonly seen = new Map<number, { expiresAt: Date | null; startedAt: Date | null; plannedAt: Date | null }>();
  private readonly facts: RefreshFacts = { attempts: new Map(), afterExpiry: [], refreshes: [] };
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(private readonly db: DataSource) {}

  start(): void {
    this.timer = setInterval(() => void this.poll(), 1_000);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  results(): RefreshFacts {
    return this.facts;
  }

  /** Resolves true once the account's refresh began at or after `since`. */
  async waitForRefreshStart(accountId: number, since: Date, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const rows = (await this.db
        .query('SELECT 1 FROM social_accounts WHERE id = $1 AND refresh_started_at >= $2 AND refresh_finished_at IS NULL', [
          accountId,
          since,
        ])
        .catch(() => [])) as unknown[];
      if (rows.length > 0) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const rows = await this.db.query<Row[]>(
        `SELECT a.id, a.platform, a.token_expires_at, a.refresh_started_at, s.next_refresh_at
         FROM social_accounts a LEFT JOIN account_sync_state s ON s.account_id = a.id`,
      );
      for (const row of rows) {
        const before = this.seen.get(row.id);
        const started = row.refresh_started_at;
        if (before && started && started.getTime() !== before.startedAt?.getTime()) {
          this.facts.attempts.set(row.id, (this.facts.attempts.get(row.id) ?? 0) + 1);
          const afterExpiry = before.expiresAt !== null && started > before.expiresAt;
          if (afterExpiry) {
            this.facts.afterExpiry.push({ accountId: row.id, platform: row.platform, startedAt: started, expiredAt: before.expiresAt! });
          }
          this.facts.refreshes.push({
            accountId: row.id,
            platform: row.platform,
            startedAt: started,
            lateSeconds: before.plannedAt ? (started.getTime() - before.plannedAt.getTime()) / 1000 : null,
            afterExpiry,
          });
        }
        this.seen.set(row.id, { expiresAt: row.token_expires_at, startedAt: started, plannedAt: row.next_refresh_at });
      }
    } catch {
      // Postgres is down on purpose now and then; the next poll catches up.
    } finally {
      this.polling = false;
    }
  }
}
