// Seeding the scale benchmark without a browser: the sandbox mints consented authorization codes through
// its admin API (POST /admin/grants/codes), then each account goes through what the connect workflow
// does after the OAuth callback: the provider client's code exchange and discovery, the connect
// activity's storeAccounts (tokens encrypted with the keyring), and ensureAccountWorkflow. Only the
// authorize redirect, consent page and the callback's connect workflow are skipped (the bench measures
// those separately, on a sample).
import { createHash, randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { storeAccounts } from '../activities/connect.js';
import { ensureAccountWorkflow } from '../lib/account-workflows.js';
import type { Config } from '../lib/config.js';
import { keyringFromEnv } from '../lib/crypto/keyring.js';
import { providersFor } from '../providers/registry.js';
import { pool } from './scale-support.js';

export type SeedPlatform = 'twitter' | 'linkedin';

export interface SeedAccount {
  platform: SeedPlatform;
  /** The sandbox identity (X user id, LinkedIn member id). */
  identity: string;
  businessId: number;
}

interface SeedDeps {
  db: DataSource;
  temporal: Client;
  config: Config;
  sandboxUrl: string;
}

async function admin<T>(sandboxUrl: string, path: string, body: unknown): Promise<T> {
  const res = await fetch(`${sandboxUrl}/admin${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`sandbox admin ${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** Mints `count` sandbox identities per platform (X users; LinkedIn members, each the admin of one organization). */
export async function mintIdentities(sandboxUrl: string, platform: SeedPlatform, count: number, offset = 0): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 5000) {
    const batch = Array.from({ length: Math.min(5000, count - i) }, (_, j) => {
      const n = offset + i + j;
      return platform === 'twitter'
        ? // 19-digit ids apart from the sandbox's own (17000...), as X's are.
          { platform: 'x', id: `16${String(n + 1).padStart(17, '0')}`, username: `bench${n}`, name: `Bench ${n}` }
        : { platform: 'linkedin', givenName: 'Bench', familyName: `Member ${n}`, organizations: [{ name: `Bench Org ${n}` }] };
    });
    ids.push(...(await admin<{ id: string }[]>(sandboxUrl, '/identities', batch)).map((identity) => identity.id));
  }
  return ids;
}

export interface SeedResult {
  /** How many failed, by reason. */
  failures: Map<string, number>;
  /** Milliseconds spent in each step, summed over accounts (where the time goes). */
  stepMs: Record<'mint' | 'exchange' | 'discover' | 'store' | 'workflow', number>;
}

/**
 * The first access token's lifetime for the i-th X account, chosen so that its refresh falls due at an
 * even spread (a golden-ratio sequence) over the next lifetime minus the worker's 10-minute lead: what a
 * running system holds when every account refreshes once per lifetime, each at its own phase. The worker
 * refreshes 10 minutes before expiry, or halfway through a token with less than 20 minutes left.
 */
function firstTokenSeconds(i: number, lifetime: number): number {
  const lead = Math.min(600, lifetime / 2);
  const due = Math.max(30, (((i + 1) * 0.6180339887) % 1) * (lifetime - lead));
  return Math.round(due < lead ? 2 * due : due + lead);
}

/** Connects `accounts`, `concurrency` at a time; X accounts' first tokens get lifetimes spread up to `xTokenSeconds`. */
export async function seedAccounts(
  deps: SeedDeps,
  accounts: SeedAccount[],
  concurrency: number,
  xTokenSeconds: number,
): Promise<SeedResult> {
  const providers = providersFor(deps.config);
  const keyring = keyringFromEnv(deps.config.TOKEN_ENCRYPTION_KEYS);
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const failures = new Map<string, number>();
  const stepMs = { mint: 0, exchange: 0, discover: 0, store: 0, workflow: 0 };
  const timed = async <T>(step: keyof typeof stepMs, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      stepMs[step] += performance.now() - started;
    }
  };
  for (const platform of ['twitter', 'linkedin'] as const) {
    const provider = providers.get(platform);
    if (!provider) throw new Error(`${platform} is not configured`);
    const redirectUri = `${deps.config.PUBLIC_API_URL}/api/v1/oauth/${platform}/callback`;
    const pkce = platform === 'twitter';
    // The scopes a real connect asks for, from the authorization URL the API would redirect to.
    const scopes = provider
      .authorizationUrl({ state: 'bench', redirectUri, ...(pkce ? { codeChallenge: challenge } : {}) })
      .searchParams.get('scope')!
      .split(/[\s,]+/);
    const mine = accounts.filter((a) => a.platform === platform);
    // Codes die fast (X: 30 s), so they are minted a few hundred at a time, just before their exchange.
    for (let i = 0; i < mine.length; i += 500) {
      const chunk = mine.slice(i, i + 500);
      const { codes } = await timed('mint', () =>
        admin<{ codes: { identity: string; code: string }[] }>(deps.sandboxUrl, '/grants/codes', {
          platform,
          identities: chunk.map((a) => a.identity),
          scopes,
          redirect_uri: redirectUri,
          ...(pkce ? { code_challenge: challenge, code_challenge_method: 'S256' } : {}),
          ...(platform === 'twitter' ? { access_token_seconds: chunk.map((_, j) => firstTokenSeconds(i + j, xTokenSeconds)) } : {}),
        }),
      );
      const work = chunk.map((account, j) => ({ account, code: codes[j]!.code }));
      await pool(work, concurrency, async ({ account, code }) => {
        try {
          const tokens = await timed('exchange', () => provider.exchangeCode(code, pkce ? verifier : null, redirectUri));
          const discovery = await timed('discover', () => provider.discover(tokens));
          if (discovery.kind !== 'accounts') throw new Error('discovery asked for a pick');
          const stored = await timed('store', () =>
            deps.db.transaction((tx) => storeAccounts(tx, keyring, account.businessId, discovery.accounts)),
          );
          await timed('workflow', async () => {
            for (const connected of stored) await ensureAccountWorkflow(deps.temporal, deps.config.TEMPORAL_TASK_QUEUE, connected);
          });
        } catch (error) {
          const reason = error instanceof Error ? error.message.slice(0, 80) : String(error);
          failures.set(reason, (failures.get(reason) ?? 0) + 1);
        }
      });
    }
  }
  return { failures, stepMs };
}
