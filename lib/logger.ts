// One pino logger for every process. Lines are JSON with timestamp, level, service and, where known,
// the request context. Secrets are redacted by path as a last line of defence; code never logs them.
import pino, { type Logger } from 'pino';
import { currentContext } from './context.js';

export type { Logger };

const SECRET_FIELDS = [
  'access_token',
  'refresh_token',
  'id_token',
  'accessToken',
  'refreshToken',
  'userToken',
  'code',
  'code_verifier',
  'codeVerifier',
  'state',
  'password',
  'token',
  'client_secret',
  'clientSecret',
  'authorization',
  'cookie',
  // Temporal's activity task token (it can complete the activity); the Runtime adapter drops it too.
  'taskToken',
];

const redactPaths = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  'res.headers["set-cookie"]',
];

export interface LoggerOptions {
  level?: string;
  destination?: pino.DestinationStream;
}

export function createLogger(service: string, options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      base: { service },
      messageKey: 'message',
      timestamp: () => `,"timestamp":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: redactPaths, censor: '[redacted]' },
      mixin: () => ({ ...currentContext() }),
    },
    options.destination,
  );
}
