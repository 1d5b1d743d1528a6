// Sentry for the API and the worker: on when SENTRY_DSN is set, a no-op otherwise. Nothing secret leaves
// the process: the SDK is told not to collect cookies, query strings, bodies, local variables or query
// parameters, and every event, span and breadcrumb is scrubbed again on the way out (`scrubEvent`).
import * as Sentry from '@sentry/node';
import type { Config } from './config.js';
import { currentContext } from './context.js';

// ---------------------------------------------------------------------------------------------------
// Scrubbing (pure functions, tested in lib/sentry.test.ts)

/** Keys whose values are secret wherever they appear (headers, extras, contexts, span attributes). */
const SECRET_KEY = /token|secret|password|passwd|authorization|cookie|verifier|api[_-]?key|appsecret|^code$|^state$|^session$/i;
/** Keys holding a query string: dropped whole. */
const QUERY_KEY = /^(query_string|query|http\.query|url\.query|search)$/i;
/** Keys holding a URL or a request target: kept without their query string and fragment. */
const URL_KEY = /^(url|http\.url|url\.full|http\.target|target|href|from|to|location|redirect_uri)$/i;
/** Parameters that carry OAuth secrets inside any URL, query string or message. */
const SECRET_PARAM =
  /([?&#;\s](?:code|state|access_token|refresh_token|id_token|token|code_verifier|client_secret|password|appsecret_proof|oauth_token|oauth_verifier|fb_exchange_token|input_token)=)[^&#\s"'<>]*/gi;
const CREDENTIAL = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;

export const REDACTED = '[redacted]';

/** Removes secret parameters and credentials from free text (messages, exception values). */
export function scrubText(text: string): string {
  return text.replace(SECRET_PARAM, `$1${REDACTED}`).replace(CREDENTIAL, `$1 ${REDACTED}`);
}

/** A URL or path without its query string and fragment. */
export function stripQuery(url: string): string {
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}

/**
 * Scrubs anything in an event, breadcrumb or span: secret-named keys are redacted whatever their
 * value, query strings are dropped, URLs lose their query, and free text loses secret parameters
 * and bearer credentials. Numbers and booleans under secret-looking keys (status_code...) are kept.
 */
export function scrub<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return scrubText(value) as T;
  if (depth > 10 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null || v === undefined || typeof v === 'number' || typeof v === 'boolean') out[key] = v;
    else if (SECRET_KEY.test(key) || QUERY_KEY.test(key)) out[key] = REDACTED;
    else if (URL_KEY.test(key) && typeof v === 'string') out[key] = scrubText(stripQuery(v));
    else out[key] = scrub(v, depth + 1);
  }
  return out as T;
}

/** The request part of an event: no cookies, body or query string; headers minus the secret ones. */
function scrubRequest(request: Sentry.Event['request']): Sentry.Event['request'] {
  if (!request) return request;
  const { cookies: _cookies, data: _data, query_string: _query, headers, url, ...rest } = request;
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (!SECRET_KEY.test(name)) kept[name] = value;
  return scrub({ ...rest, ...(url ? { url: stripQuery(url) } : {}), headers: kept });
}

/** beforeSend: a scrubbed copy of an error event. Pure. */
export function scrubEvent<E extends Sentry.Event>(event: E): E {
  const { request, ...rest } = event;
  const scrubbed = scrub(rest) as E;
  if (request) scrubbed.request = scrubRequest(request);
  return scrubbed;
}

/** Requests operators' probes make all day: no breadcrumbs, no traces. */
const QUIET_PATHS = /^(?:https?:\/\/[^/]+)?\/(health|ready|metrics)\/?(?:[?#]|$)/;

export function isQuietUrl(url: unknown): boolean {
  return typeof url === 'string' && QUIET_PATHS.test(url);
}

/** beforeBreadcrumb: drops probe requests, scrubs the rest. Pure. */
export function scrubBreadcrumb(crumb: Sentry.Breadcrumb): Sentry.Breadcrumb | null {
  const url = crumb.data?.url ?? crumb.data?.['http.url'];
  if (isQuietUrl(url) || (crumb.category === 'http' && isQuietUrl(crumb.message))) return null;
  return scrub(crumb);
}

// ---------------------------------------------------------------------------------------------------
// Initialisation

export function initSentry(config: Config, service: 'api' | 'worker'): boolean {
  if (!config.SENTRY_DSN) return false;
  const tracesSampleRate = config.SENTRY_TRACES_SAMPLE_RATE ?? (config.isProduction ? 0.1 : 1.0);
  Sentry.init({
    dsn: config.SENTRY_DSN,
    environment: config.SENTRY_ENVIRONMENT ?? config.NODE_ENV,
    release: config.RELEASE,
    serverName: service,
    // Sentry 11's replacement for sendDefaultPii: collect no user info, cookies, query strings, bodies,
    // query parameters or local variables; headers only with the secret ones denied.
    dataCollection: {
      userInfo: false,
      cookies: false,
      urlQueryParams: false,
      httpBodies: [],
      httpHeaders: { deny: ['authorization', 'cookie', 'set-cookie', 'x-api-key', 'proxy-authorization'] },
      databaseQueryData: false,
      queues: false,
      stackFrameVariables: false,
      genAI: { inputs: false, outputs: false },
      mcp: { inputs: false, outputs: false },
    },
    integrations: [
      Sentry.httpIntegration({
        ignoreIncomingRequests: (urlPath) => isQuietUrl(urlPath),
        ignoreOutgoingRequests: (url) => isQuietUrl(url),
      }),
      Sentry.nativeNodeFetchIntegration({ ignoreOutgoingRequests: (url) => isQuietUrl(url) }),
    ],
    tracesSampler: ({ name, normalizedRequest, inheritOrSampleWith }) =>
      isQuietUrl(normalizedRequest?.url) || /^\w+ \/(health|ready|metrics)$/.test(name) ? 0 : inheritOrSampleWith(tracesSampleRate),
    ignoreSpans: [/^\w+ \/(health|ready|metrics)\/?$/],
    initialScope: { tags: { service } },
    beforeSend: (event) => scrubEvent(withRequestContext(event)),
    beforeSendSpan: (span) => scrub(span),
    beforeBreadcrumb: (crumb) => scrubBreadcrumb(crumb),
  });
  return true;
}

/** Adds the request context (request, user, business) to an event that does not carry it yet. */
function withRequestContext<E extends Sentry.Event>(event: E): E {
  const context = currentContext();
  if (!context) return event;
  const tags = { ...event.tags };
  if (context.request_id && tags.request_id === undefined) tags.request_id = context.request_id;
  if (context.business_id && tags.business_id === undefined) tags.business_id = String(context.business_id);
  if (context.account_id && tags.account_id === undefined) tags.account_id = String(context.account_id);
  return { ...event, tags, user: event.user?.id ? event.user : context.user_id ? { id: String(context.user_id) } : event.user };
}

// ---------------------------------------------------------------------------------------------------
// Reporting

/** An unhandled API error (a 500), with the request's user and business from the request context. */
export function captureApiError(error: unknown, request?: { method?: string; route?: string }): void {
  if (!Sentry.isInitialized()) return;
  const context = currentContext() ?? {};
  Sentry.withScope((scope) => {
    if (context.user_id) scope.setUser({ id: String(context.user_id) });
    scope.setTags({
      ...(context.request_id ? { request_id: context.request_id } : {}),
      ...(context.business_id ? { business_id: String(context.business_id) } : {}),
      ...(request?.route ? { route: request.route } : {}),
    });
    scope.setContext('request_context', { ...context, method: request?.method ?? null, route: request?.route ?? null });
    Sentry.captureException(error);
  });
}

/** Names the request's trace after its route pattern (`GET /api/v1/oauth/:platform/callback`). */
export function nameRequestSpan(method: string, route: string): void {
  if (!Sentry.isInitialized()) return;
  const span = Sentry.getActiveSpan();
  if (span) Sentry.updateSpanName(Sentry.getRootSpan(span), `${method} ${route}`);
}

/** A breadcrumb for the OAuth flow: a step name and non-secret data (platform, outcome, ids). */
export function oauthBreadcrumb(message: string, data: Record<string, unknown> = {}, level: Sentry.SeverityLevel = 'info'): void {
  if (!Sentry.isInitialized()) return;
  Sentry.addBreadcrumb({ category: 'oauth', message, data, level });
}

export interface ActivityFailureReport {
  activityType: string;
  activityId: string;
  attempt: number;
  maximumAttempts: number | null;
  nonRetryable: boolean;
  errorType: string;
  workflowId?: string;
  runId?: string;
  workflowType?: string;
  taskQueue: string;
  accountId?: number;
  businessId?: number;
}

// Platforms whose app-credential failure has been alerted and has not worked since (per process).
const appCredentialAlerts = new Set<string>();

/**
 * Our app's credentials were refused (a rotated client secret, a bad Meta app secret): every account of
 * the platform fails at once, so this alerts once per platform, until a call with them works again.
 */
export function alertAppCredentialsRejected(platform: string, message: string): void {
  if (appCredentialAlerts.has(platform)) return;
  appCredentialAlerts.add(platform);
  if (!Sentry.isInitialized()) return;
  Sentry.withScope((scope) => {
    scope.setLevel('error');
    scope.setTags({ service: 'worker', platform, error_type: 'AppCredentialsRejected' });
    scope.setFingerprint(['app-credentials-rejected', platform]);
    Sentry.captureMessage(message);
  });
}

/** A call with the platform's app credentials worked: a later refusal alerts again. */
export function appCredentialsAccepted(platform: string): void {
  appCredentialAlerts.delete(platform);
}

/**
 * Failures the domain expects now and then (a user's grant revoked, a code the provider refused):
 * reported as warnings, so alerts can key on errors (retries exhausted, bugs).
 */
const EXPECTED_FAILURES = new Set(['GrantRevoked', 'ProviderRejected', 'NotConfigured', 'StateGone', 'PendingGone', 'AccountNotFound']);

/** An activity that failed for good (last attempt, or not retryable). Called once per activity. */
export function captureActivityFailure(error: unknown, report: ActivityFailureReport): void {
  // Alerted once per platform where it was classified (alertAppCredentialsRejected), not per account.
  if (!Sentry.isInitialized() || report.errorType === 'AppCredentialsRejected') return;
  Sentry.withScope((scope) => {
    scope.setLevel(EXPECTED_FAILURES.has(report.errorType) ? 'warning' : 'error');
    scope.setTags({
      service: 'worker',
      activity_type: report.activityType,
      error_type: report.errorType,
      attempt: String(report.attempt),
      retryable: String(!report.nonRetryable),
      task_queue: report.taskQueue,
      ...(report.workflowId ? { workflow_id: report.workflowId } : {}),
      ...(report.workflowType ? { workflow_type: report.workflowType } : {}),
      ...(report.accountId !== undefined ? { account_id: String(report.accountId) } : {}),
      ...(report.businessId !== undefined ? { business_id: String(report.businessId) } : {}),
    });
    scope.setContext('activity', { ...report });
    scope.setFingerprint(['activity-failure', report.activityType, report.errorType]);
    Sentry.captureException(error);
  });
}

const reportedWorkflowRuns = new Set<string>();

/**
 * Workflow code runs in the SDK's sandbox and cannot call Sentry. Its failures reach the worker's
 * main thread as log lines instead (the SDK's own logger sink, not called on replay): the Runtime
 * logger hands every WARN/ERROR line here, and this reports
 *  - "Workflow failed" (a workflow that ended failed), unless its cause is an activity failure, which
 *    the activity interceptor has already reported at the source;
 *  - a workflow task that fails (a bug or non-determinism: the workflow stalls, retrying the task),
 *    once per run.
 */
export function reportTemporalProblem(_level: 'warn' | 'error', message: string, fields: Record<string, unknown>): void {
  if (!Sentry.isInitialized()) return;
  const runId = typeof fields.run_id === 'string' ? fields.run_id : undefined;
  const error = fields.err as { name?: string; message?: string; cause?: unknown } | undefined;
  let kind: 'workflow_failed' | 'workflow_task_failed' | null = null;
  if (message === 'Workflow failed' && fields.workflow_id) {
    // The error crossed the sandbox boundary as a plain Error; an ActivityFailure keeps its message.
    if (error?.name === 'ActivityFailure' || error?.message === 'Activity task failed') return;
    kind = 'workflow_failed';
  } else if (/failing workflow task|failed to process workflow activation|failed to activate workflow/i.test(message)) {
    kind = 'workflow_task_failed';
  }
  // Anything else at WARN/ERROR (activity attempts, SDK warnings) is in the logs; activity failures are
  // reported by the activity interceptor, and fatal errors by the process handlers.
  if (!kind) return;
  const key = `${kind}:${runId ?? message}`;
  if (reportedWorkflowRuns.has(key)) return;
  if (reportedWorkflowRuns.size > 10_000) reportedWorkflowRuns.clear();
  reportedWorkflowRuns.add(key);
  Sentry.withIsolationScope((isolation) => {
    isolation.clearBreadcrumbs(); // whatever the worker did last has nothing to do with this workflow
    Sentry.withScope((scope) => {
      scope.setLevel('error');
      const tags: Record<string, string> = { service: 'worker', failure: kind };
      for (const field of ['workflow_id', 'workflow_type', 'run_id', 'task_queue', 'account_id']) {
        if (fields[field] !== undefined) tags[field] = String(fields[field]);
      }
      scope.setTags(tags);
      scope.setFingerprint([kind, String(fields.workflow_type ?? 'unknown'), error?.name ?? message]);
      if (error && typeof error.message === 'string') Sentry.captureException(error);
      else Sentry.captureMessage(`${message}${fields.failure ? `: ${String(fields.failure)}` : ''}`);
    });
  });
}

export { Sentry };
