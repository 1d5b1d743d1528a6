// Production observability against real servers: the whole back end in this process (API, worker,
// sandbox providers), the real Sentry SDK sending to a local ingest, and both metrics endpoints scraped.
// A flow of connect, refresh, sync (one retried, one failing for good), a rejected code and disconnect
// runs; then every log line, Sentry envelope and workflow history is scanned for every secret the
// sandbox issued or received.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorkflowCode, Runtime } from '@temporalio/worker';
import { loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { initSentry, reportTemporalProblem, Sentry } from '../lib/sentry.js';
import { bundlerLogger } from '../lib/temporal-logging.js';
import { freePort } from '../scripts/stack.js';
import { workflowsPath } from '../worker/worker.js';
import { startSentryIngest, type SentryIngest } from './support/sentry-ingest.js';
import { connect, consentAt, sandboxAdmin, scanForSecrets, startTestSystem, type ApiClient, type TestSystem } from './support/system.js';

let system: TestSystem;
let api: ApiClient;
let ingest: SentryIngest;
let businessId: number;
let workerMetricsUrl: string;
const X_USER = '1700000000000000001';
/** Secrets the sandbox does not list: OAuth states, and values the test itself sent. */
const extraSecrets: string[] = [];

beforeAll(async () => {
  ingest = await startSentryIngest();
  const metricsPort = await freePort();
  workerMetricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const overrides = {
    SENTRY_DSN: ingest.dsn,
    SENTRY_ENVIRONMENT: 'observability-test',
    RELEASE: 'social-sync@observability-test',
    WORKER_METRICS_PORT: String(metricsPort),
    SYNC_INTERVAL_SECONDS: '3600', // syncs here come from connects and triggers
  };
  // One Sentry client per process, as in the API and the worker (which share this process here).
  initSentry(loadConfig({ NODE_ENV: 'test', ...overrides }), 'api');
  system = await startTestSystem(overrides);
  const client = await system.login();
  extraSecrets.push(client.token);
  // Keeps the state of every authorization URL the flow asks for: a secret the sandbox does not list.
  api = (async (path: string, init?: RequestInit) => {
    const res = await client(path, init);
    if (path.includes('/authorize') && res.ok) extraSecrets.push((await res.clone().json()).state);
    return res;
  }) as ApiClient;
  api.token = client.token;
  api.jar = client.jar;
  api.visit = client.visit;
  businessId = system.user.businessId;
});

afterAll(async () => {
  await system?.stop();
  await Sentry.close(2_000);
  await ingest?.close();
});

/** Everything buffered reaches its destination: the SDK's log buffer, and Sentry's queue to the ingest. */
async function flushEverything(): Promise<void> {
  await new Promise((r) => setTimeout(r, 200));
  Runtime._instance?.flushLogs();
  await Sentry.flush(5_000);
  await ingest.refresh();
}

const workerLines = () => {
  Runtime._instance?.flushLogs();
  return system.workerLog.lines();
};
const allLines = () => [...system.apiLog.lines(), ...workerLines()];

async function waitForJob(jobId: string): Promise<any> {
  const progress = async () => (await api(`/api/v1/analytics/sync-progress/${encodeURIComponent(jobId)}`)).json();
  await expect.poll(async () => (await progress()).status, { timeout: 40_000, interval: 250 }).not.toBe('running');
  return progress();
}

async function syncNow(): Promise<{ account_id: number; platform: string; job_id: string }[]> {
  const res = await api(`/api/v1/scheduler/trigger/${businessId}`, { method: 'POST' });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(202);
  return body.triggered;
}

/** Sums the samples of a Prometheus metric whose labels include the given ones. */
function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(match[3]);
  }
  return sum;
}

const byTag = (tag: string, value: string) => ingest.events().filter((e) => e.tags?.[tag] === value);

describe('API errors reach Sentry with the request context and without secrets', () => {
  it('probes stay out of Sentry: /health and /ready make no breadcrumb and no trace', async () => {
    expect((await fetch(`${system.apiUrl}/health`)).status).toBe(200);
    expect((await fetch(`${system.apiUrl}/ready`)).status).toBe(200);
  });

  it('a failing database query answers 500 and is reported with user, business and request id', async () => {
    await system.db.query('ALTER TABLE social_accounts RENAME TO social_accounts_away');
    let res: Response;
    try {
      res = await api(`/api/v1/oauth/twitter/status?business_id=${businessId}&code=probe-code-0123456789&state=probe-state-0123456789`, {
        headers: { cookie: 'session=probe-cookie-0123456789', 'x-request-id': 'obs-db-failure-1' },
      });
    } finally {
      await system.db.query('ALTER TABLE social_accounts_away RENAME TO social_accounts');
    }
    extraSecrets.push('probe-code-0123456789', 'probe-state-0123456789', 'probe-cookie-0123456789');
    expect(res.status).toBe(500);
    expect((await res.json()).error).toMatchObject({ code: 'internal_error', request_id: 'obs-db-failure-1' });

    await flushEverything();
    const [event] = byTag('request_id', 'obs-db-failure-1');
    expect(event, 'no Sentry event for the failed request').toBeDefined();
    expect(event.exception.values.at(-1).value).toContain('social_accounts');
    expect(event.user).toEqual({ id: String(system.user.userId) });
    expect(event.tags).toMatchObject({ service: 'api', business_id: String(businessId), route: '/api/v1/oauth/:platform/status' });
    expect(event.environment).toBe('observability-test');
    expect(event.release).toBe('social-sync@observability-test');
    expect(event.request.url).toBe(`${system.apiUrl}/api/v1/oauth/twitter/status`);
    expect(event.request.query_string).toBeUndefined();
    expect(event.request.cookies).toBeUndefined();
    expect(Object.keys(event.request.headers).map((h) => h.toLowerCase())).not.toContain('authorization');
    expect(Object.keys(event.request.headers).map((h) => h.toLowerCase())).not.toContain('cookie');
    // The 500 is in the API log too, with the same context.
    const line = system.apiLog.lines().find((l) => l.event_type === 'unhandled_error' && l.request_id === 'obs-db-failure-1');
    expect(line).toMatchObject({ level: 'error', service: 'api', user_id: system.user.userId, business_id: businessId });
  });

  it('a callback that cannot start its workflow is reported with the OAuth breadcrumbs, and no code or state', async () => {
    const authorize = await (await api(`/api/v1/oauth/x/authorize?business_id=${businessId}`)).json();
    const [{ id: stateId }] = await system.db.query('SELECT id FROM oauth_states ORDER BY id DESC LIMIT 1');
    // A workflow already running under the id the callback will use, on a queue no worker polls.
    const blocker = await system.temporal.workflow.start('connectWorkflow', {
      workflowId: `connect:oauth:${stateId}`,
      taskQueue: `${system.config.TEMPORAL_TASK_QUEUE}-nobody`,
      args: [{ kind: 'oauth_callback', oauthStateId: -1 }],
    });
    let redirect: URL;
    try {
      redirect = await consentAt(authorize.authorization_url, 'allow', '1700000000000000002');
      const res = await api.visit(redirect, { headers: { accept: 'application/json', 'x-request-id': 'obs-callback-1' } });
      expect(res.status).toBe(500);
    } finally {
      await blocker.terminate('test over');
    }

    await flushEverything();
    const [event] = byTag('request_id', 'obs-callback-1');
    expect(event, 'no Sentry event for the failed callback').toBeDefined();
    expect(event.tags).toMatchObject({ route: '/api/v1/oauth/:platform/callback', business_id: String(businessId) });
    expect(event.user).toEqual({ id: String(system.user.userId) });
    const oauthCrumbs = event.breadcrumbs.filter((b: { category: string }) => b.category === 'oauth');
    expect(oauthCrumbs.map((b: { message: string }) => b.message)).toEqual(['callback received', 'state validated', 'callback failed']);
    expect(oauthCrumbs[0].data).toEqual({ platform: 'twitter', has_code: true, has_state: true, provider_error: null });
    expect(event.request.url).toBe(`${system.apiUrl}/api/v1/oauth/twitter/callback`);
    const text = JSON.stringify(event);
    expect(text).not.toContain(redirect.searchParams.get('code'));
    expect(text).not.toContain(authorize.state);
  });
});

describe('a connect-refresh-sync-fail-disconnect flow', () => {
  let accountId: number;

  it('connects X and syncs at once; a manual refresh works', async () => {
    const res = await connect(api, 'twitter', businessId, 'allow', X_USER);
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    accountId = body.accounts[0].id;
    await expect
      .poll(
        async () =>
          (await system.db.query(`SELECT count(*)::int AS n FROM sync_runs WHERE account_id = $1 AND status = 'success'`, [accountId]))[0]
            .n,
        { timeout: 30_000 },
      )
      .toBe(1);
    const refreshed = await api(`/api/v1/oauth/twitter/refresh?business_id=${businessId}`, { method: 'POST' });
    expect(refreshed.status, await refreshed.clone().text()).toBe(200);
  });

  it('a regenerated app secret: each refusal counted, one alert, the account untouched, and it recovers', async () => {
    const secret = async (client_secret: string) => sandboxAdmin(system, '/clients/secret', { platform: 'twitter', client_secret });
    await secret('regenerated-in-the-portal');
    try {
      for (let i = 0; i < 3; i++) {
        // The manual refresh is refused with the provider's reason; the account's status does not change.
        const refused = await api(`/api/v1/oauth/twitter/refresh?business_id=${businessId}`, { method: 'POST' });
        expect(refused.status).toBe(409);
        expect((await refused.json()).error.message).toContain('unauthorized_client');
      }
      const [row] = await system.db.query('SELECT status, status_message FROM social_accounts WHERE id = $1', [accountId]);
      expect(row.status).toBe('active');
      await flushEverything();
      const alerts = byTag('error_type', 'AppCredentialsRejected');
      expect(alerts).toHaveLength(1);
      expect(alerts[0].tags.platform).toBe('twitter');
      expect(JSON.stringify(alerts[0])).toContain("The app's credentials were rejected by X");
      const metrics = await (await fetch(workerMetricsUrl)).text();
      expect(metricValue(metrics, 'social_sync_app_credentials_rejected', { platform: 'twitter' })).toBeGreaterThanOrEqual(3);
    } finally {
      await secret('sandbox-twitter-secret');
    }
    const refreshed = await api(`/api/v1/oauth/twitter/refresh?business_id=${businessId}`, { method: 'POST' });
    expect(refreshed.status, await refreshed.clone().text()).toBe(200);
  });

  it('connects a Meta Page through the picker (tokens that travel differently)', async () => {
    const res = await connect(api, 'meta', businessId);
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    const picked = await api(`/api/v1/oauth/meta/pages?business_id=${businessId}`, {
      method: 'POST',
      body: JSON.stringify({
        pending_id: body.pending_selection.id,
        page_ids: ['20000000000000001'],
        instagram_ids: ['17841400000000001'],
      }),
    });
    expect(picked.status, await picked.clone().text()).toBe(200);
  });

  it('a sync that hits a 503 once is retried and succeeds: not reported to Sentry', async () => {
    await sandboxAdmin(system, '/faults', { platform: 'twitter', kind: 'server_error', times: 1, pathPrefix: '/2/users/' });
    const jobs = await syncNow();
    for (const job of jobs) expect((await waitForJob(job.job_id)).status).toBe('completed');
  });

  it('a sync on a revoked grant fails for good: reconnect_required, reported once with workflow and activity tags', async () => {
    await sandboxAdmin(system, '/grants/revoke', { platform: 'twitter', userId: X_USER });
    const job = (await syncNow()).find((j) => j.account_id === accountId)!;
    expect((await waitForJob(job.job_id)).status).toBe('failed');
    await expect
      .poll(async () => (await system.db.query('SELECT status FROM social_accounts WHERE id = $1', [accountId]))[0].status, {
        timeout: 15_000,
      })
      .toBe('reconnect_required');

    await flushEverything();
    const syncEvents = byTag('activity_type', 'syncAccount');
    expect(syncEvents).toHaveLength(1); // the retried 503 attempt was not final, so not reported
    const [event] = syncEvents;
    expect(event.level).toBe('warning'); // a revoked grant is the user's to fix, not a bug
    expect(event.tags).toMatchObject({
      service: 'worker',
      workflow_id: `account:${accountId}`,
      workflow_type: 'accountWorkflow',
      error_type: 'GrantRevoked',
      attempt: '1',
      retryable: 'false',
      account_id: String(accountId),
      task_queue: system.config.TEMPORAL_TASK_QUEUE,
    });
    expect(event.contexts.activity).toMatchObject({ activityType: 'syncAccount', maximumAttempts: 5, nonRetryable: true });
    expect(event.exception.values.at(-1)).toMatchObject({ type: 'ApplicationFailure' });
    // Breadcrumbs are the activity's own provider calls, without their query strings.
    for (const crumb of event.breadcrumbs ?? []) expect(String(crumb.data?.url ?? '')).not.toContain('?');
  });

  it('a code the provider rejects: the exchange activity is reported once, the connect workflow not again', async () => {
    const authorize = await (await api(`/api/v1/oauth/linkedin/authorize?business_id=${businessId}`)).json();
    const res = await api.visit(
      `${system.apiUrl}/api/v1/oauth/linkedin/callback?${new URLSearchParams({ code: 'rejected-code-0123456789', state: authorize.state })}`,
      {
        headers: { accept: 'application/json' },
      },
    );
    extraSecrets.push('rejected-code-0123456789');
    expect(res.status).toBe(400);

    await flushEverything();
    const events = byTag('activity_type', 'exchangeAuthorizationCode');
    expect(events).toHaveLength(1);
    expect(events[0].tags).toMatchObject({ workflow_type: 'connectWorkflow', attempt: '1', retryable: 'false' });
    expect(events[0].tags.workflow_id).toMatch(/^connect:oauth:\d+$/);
    expect(ingest.events().filter((e) => e.tags?.failure === 'workflow_failed')).toEqual([]);
  });

  it('disconnects', async () => {
    const res = await api(`/api/v1/oauth/twitter/disconnect?business_id=${businessId}`, { method: 'DELETE' });
    expect(res.status, await res.clone().text()).toBe(200);
    await expect
      .poll(() => workerLines().some((l) => l.event_type === 'account_workflow_finished' && l.account_id === accountId), {
        timeout: 10_000,
      })
      .toBe(true);
  });
});

describe('workflow problems reach Sentry from outside the sandbox', () => {
  it('a workflow task that cannot run (an unknown workflow type) is reported once per run', async () => {
    const handle = await system.temporal.workflow.start('noSuchWorkflow', {
      workflowId: `obs-unknown-type-${system.config.TEMPORAL_TASK_QUEUE}`,
      taskQueue: system.config.TEMPORAL_TASK_QUEUE,
      args: [],
    });
    try {
      await expect
        .poll(
          async () => {
            await flushEverything();
            return ingest
              .events()
              .filter((e) => e.tags?.failure === 'workflow_task_failed' && e.tags?.run_id === handle.firstExecutionRunId).length;
          },
          { timeout: 20_000, interval: 500 },
        )
        .toBe(1);
    } finally {
      await handle.terminate('test over');
    }
  });

  it('a workflow that fails in its own code is reported with its tags (the "Workflow failed" line, via the logger sink)', async () => {
    // The line as the SDK's workflow logger delivers it from the sandbox (cause: not an activity failure).
    reportTemporalProblem('warn', 'Workflow failed', {
      sdk_component: 'worker',
      workflow_id: 'account:999',
      run_id: 'run-obs-1',
      workflow_type: 'accountWorkflow',
      account_id: 999,
      err: Object.assign(new Error('state went missing'), { name: 'Error' }),
    });
    reportTemporalProblem('warn', 'Workflow failed', {
      workflow_id: 'connect:oauth:9',
      run_id: 'run-obs-2',
      err: new Error('Activity task failed'),
    });
    await flushEverything();
    const events = ingest.events().filter((e) => e.tags?.failure === 'workflow_failed');
    expect(events).toHaveLength(1);
    expect(events[0].tags).toMatchObject({
      workflow_id: 'account:999',
      run_id: 'run-obs-1',
      workflow_type: 'accountWorkflow',
      account_id: '999',
    });
  });
});

describe('logs', () => {
  it('every line has timestamp, level and service; request lines carry request, user and business', () => {
    const lines = allLines();
    expect(lines.length).toBeGreaterThan(50);
    for (const line of lines) {
      expect(typeof line.timestamp, JSON.stringify(line)).toBe('string');
      expect(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).toContain(line.level);
      expect(['api', 'worker']).toContain(line.service);
      expect(line).not.toHaveProperty('taskToken');
    }
    const authorize = system.apiLog.lines().find((l) => l.event_type === 'oauth_authorize');
    expect(authorize).toMatchObject({
      request_id: expect.any(String),
      user_id: system.user.userId,
      business_id: businessId,
      platform: 'twitter',
    });
    const callback = system.apiLog.lines().find((l) => l.event_type === 'oauth_callback' && l.outcome === 'connected');
    expect(callback).toMatchObject({ request_id: expect.any(String), user_id: system.user.userId, business_id: businessId });
  });

  it('domain events are there, each with its event_type', () => {
    const types = new Set(
      allLines()
        .map((l) => l.event_type)
        .filter(Boolean),
    );
    for (const type of [
      'http_request',
      'oauth_authorize',
      'oauth_callback',
      'oauth_token_exchange',
      'oauth_meta_selection',
      'token_refresh',
      'sync_started',
      'sync_attempt_failed',
      'sync_completed',
      'sync_failed',
      'reconnect_required',
      'account_disconnected',
      'account_workflow_started',
      'account_workflow_finished',
      'unhandled_error',
    ]) {
      expect(types, type).toContain(type);
    }
  });

  it('workflow lines carry workflow_id, run_id and the account; activity lines carry activity_type and attempt', () => {
    const lines = workerLines();
    const workflowLines = lines.filter((l) => l.sdk_component === 'workflow');
    expect(workflowLines.length).toBeGreaterThan(3);
    for (const line of workflowLines) {
      expect(line, JSON.stringify(line)).toMatchObject({
        workflow_id: expect.any(String),
        run_id: expect.any(String),
        workflow_type: expect.any(String),
      });
      if (line.workflow_type === 'accountWorkflow') expect(line).toMatchObject({ account_id: expect.any(Number), business_id: businessId });
    }
    const reconnect = workflowLines.find((l) => l.event_type === 'reconnect_required');
    expect(reconnect).toMatchObject({ workflow_id: expect.stringMatching(/^account:\d+$/), level: 'warn', platform: 'twitter' });

    const activityLines = lines.filter((l) => l.sdk_component === 'activity');
    expect(activityLines.length).toBeGreaterThan(5);
    for (const line of activityLines) {
      expect(line, JSON.stringify(line)).toMatchObject({
        activity_type: expect.any(String),
        attempt: expect.any(Number),
        workflow_id: expect.any(String),
      });
    }
    // The retried sync logged its failed first attempt and its successful second one.
    const retried = activityLines.filter(
      (l) => l.activity_type === 'syncAccount' && (l.event_type === 'sync_attempt_failed' || l.event_type === 'sync_completed'),
    );
    expect(retried.some((l) => l.event_type === 'sync_attempt_failed' && l.attempt === 1 && l.error_type === 'ProviderUnavailable')).toBe(
      true,
    );
    expect(retried.some((l) => l.event_type === 'sync_completed' && l.attempt === 2)).toBe(true);
  });

  it('the workflow bundler prints nothing below warnings', async () => {
    const chunks: string[] = [];
    const destination = new Writable({ write: (c, _e, done) => (chunks.push(String(c)), done()) });
    await bundleWorkflowCode({ workflowsPath, logger: bundlerLogger(createLogger('worker', { level: 'debug', destination })) });
    const levels = chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l).level);
    expect(levels.filter((l) => l !== 'warn' && l !== 'error')).toEqual([]);
  });
});

describe('Sentry traces', () => {
  it('name requests by route and leave out the probes', async () => {
    await flushEverything();
    const spans = ingest
      .items('span')
      .flatMap((i) => i.payload.items as { name: string; attributes: Record<string, { value: unknown }> }[]);
    const server = spans.filter((s) => s.attributes['sentry.op']?.value === 'http.server');
    expect(server.map((s) => s.name)).toContain('GET /api/v1/oauth/:platform/callback');
    expect(server.filter((s) => /\/(health|ready|metrics)$/.test(String(s.attributes['url.path']?.value)))).toEqual([]);
    for (const event of ingest.events()) {
      for (const crumb of event.breadcrumbs ?? []) expect(String(crumb.data?.url ?? '')).not.toMatch(/\/(health|ready)$/);
    }
  });
});

describe('metrics', () => {
  it('the worker endpoint serves the SDK metrics and ours, with counts from the flow', async () => {
    const res = await fetch(workerMetricsUrl);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(metricValue(text, 'temporal_workflow_completed')).toBeGreaterThan(0);
    expect(metricValue(text, 'temporal_activity_execution_failed')).toBeGreaterThan(0);
    expect(metricValue(text, 'temporal_activity_execution_latency_count', { activity_type: 'syncAccount' })).toBeGreaterThan(0);
    expect(
      metricValue(text, 'social_sync_sync_outcomes', { outcome: 'success', platform: 'twitter', activity_type: 'syncAccount' }),
    ).toBeGreaterThanOrEqual(2);
    expect(metricValue(text, 'social_sync_sync_outcomes', { outcome: 'error', platform: 'twitter' })).toBe(1);
    expect(metricValue(text, 'social_sync_token_refreshes', { outcome: 'success', platform: 'twitter' })).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, 'social_sync_token_exchanges', { outcome: 'success' })).toBeGreaterThanOrEqual(2);
    expect(metricValue(text, 'social_sync_token_exchanges', { outcome: 'failed', platform: 'linkedin' })).toBe(1);
    expect(metricValue(text, 'social_sync_reconnect_required')).toBe(1);
    expect(metricValue(text, 'social_sync_disconnects', { platform: 'twitter' })).toBe(1);
  });

  it('the API endpoint serves request latency by route pattern, OAuth outcomes and process metrics', async () => {
    const res = await fetch(`${system.apiUrl}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(
      metricValue(text, 'http_request_duration_seconds_count', {
        route: '/api/v1/oauth/:platform/callback',
        method: 'GET',
        status_code: '200',
      }),
    ).toBeGreaterThanOrEqual(2);
    expect(metricValue(text, 'http_request_duration_seconds_count', { route: '/api/v1/oauth/:platform/status', status_code: '500' })).toBe(
      1,
    );
    expect(text).not.toMatch(/route="[^"]*\/(twitter|linkedin|\d+)(\/|")/); // patterns, never raw paths or ids
    expect(metricValue(text, 'oauth_outcomes_total', { platform: 'twitter', outcome: 'authorize' })).toBeGreaterThanOrEqual(2);
    expect(metricValue(text, 'oauth_outcomes_total', { platform: 'twitter', outcome: 'connected' })).toBe(1);
    expect(metricValue(text, 'oauth_outcomes_total', { platform: 'meta', outcome: 'pending_selection' })).toBe(1);
    expect(metricValue(text, 'oauth_outcomes_total', { platform: 'linkedin', outcome: 'failed' })).toBe(1);
    expect(metricValue(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });
});

describe('secrets', () => {
  it('no token, code, verifier, state or session the flow used is in any log line, Sentry envelope, table or workflow history', async () => {
    await flushEverything();
    const { values } = await sandboxAdmin(system, '/issued');
    expect(values.length).toBeGreaterThan(10);
    const secrets = [...values, ...extraSecrets];
    expect(ingest.raw().length).toBeGreaterThan(10_000); // the scan reads real envelopes
    const hits = await scanForSecrets(system, secrets, { 'sentry envelopes': ingest.raw() });
    expect(hits).toEqual([]);
  });
});
