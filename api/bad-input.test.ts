// Bad ids and racing requests answer 4xx in the JSON error shape, never 500; expired Meta selections,
// which hold a Facebook user token, do not stay in the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, startTestSystem, type ApiClient, type TestSystem } from '../test/support/system.js';

let system: TestSystem;
let api: ApiClient;
let businessId: number;

beforeAll(async () => {
  system = await startTestSystem();
  api = await system.login();
  businessId = system.user.businessId;
});

afterAll(async () => {
  await system?.stop();
});

async function expectError(res: Response, status: number) {
  const body = await res.json();
  expect(res.status, `${res.url}: ${JSON.stringify(body)}`).toBe(status);
  expect(body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
}

describe('ids beyond the integer range', () => {
  it('answer 400 for business, account and pending ids in queries, paths and bodies', async () => {
    const huge = '99999999999';
    for (const path of [
      `/api/v1/oauth/twitter/authorize?business_id=${huge}`,
      `/api/v1/oauth/twitter/status?business_id=${huge}`,
      `/api/v1/oauth/twitter/status?business_id=${businessId}&account_id=${huge}`,
      `/api/v1/oauth/meta/pages?business_id=${businessId}&pending_id=${huge}`,
      `/api/v1/analytics/sync-status/${huge}`,
      `/api/v1/analytics/sync-history/${huge}`,
      `/api/v1/posts?business_id=${huge}`,
      `/api/v1/posts/${huge}`,
      `/api/v1/businesses/${huge}`,
    ]) {
      await expectError(await api(path), 400);
    }
    await expectError(
      await api(`/api/v1/oauth/meta/pages?business_id=${businessId}`, {
        method: 'POST',
        body: JSON.stringify({ pending_id: huge, page_ids: ['1'] }),
      }),
      400,
    );
    await expectError(await api(`/api/v1/scheduler/trigger/${huge}`, { method: 'POST' }), 400);
    await expectError(await api(`/api/v1/posts/${huge}`, { method: 'PATCH', body: '{}' }), 400);
    await expectError(await api(`/api/v1/posts/${huge}`, { method: 'DELETE' }), 400);
    await expectError(await api(`/api/v1/posts/1/targets/${huge}/retry`, { method: 'POST' }), 400);
    await expectError(await api(`/api/v1/media?business_id=${huge}`, { method: 'POST', body: 'x' }), 400);
    await expectError(await api(`/api/v1/businesses/${huge}`, { method: 'PATCH', body: '{"time_zone":"UTC"}' }), 400);
    for (const body of [
      { business_id: huge, text: 'x', targets: [{ account_id: 1 }] },
      { business_id: businessId, text: 'x', targets: [{ account_id: huge }] },
    ]) {
      await expectError(await api('/api/v1/posts', { method: 'POST', body: JSON.stringify(body) }), 400);
    }
  });
});

describe('malformed sync job ids', () => {
  it('answer 404', async () => {
    for (const jobId of ['nonsense', 'account:1:sync:abcd1234:1%00', 'account:99999999999:sync:abcd1234:1', '%00', 'account:1:sync::1']) {
      await expectError(await api(`/api/v1/analytics/sync-progress/${jobId}`), 404);
    }
  });
});

describe('Meta Page selection', () => {
  it('two concurrent selections of one pending id: one connects, the other answers 409 or 404', async () => {
    const res = await connect(api, 'meta', businessId);
    const pending = (await res.json()).pending_selection;
    const pick = () =>
      api(`/api/v1/oauth/meta/pages?business_id=${businessId}`, {
        method: 'POST',
        body: JSON.stringify({ pending_id: pending.id, page_ids: ['20000000000000002'] }),
      });
    const answers = await Promise.all([pick(), pick()]);
    const [ok, other] = answers[0].status === 200 ? answers : [answers[1], answers[0]];
    expect(ok.status).toBe(200);
    expect([404, 409]).toContain(other.status);
    await expectError(other, other.status);
  });

  it('expired selections are purged when a new authorization starts; live ones stay', async () => {
    const [{ user_id: userId }] = await system.db.query('SELECT user_id FROM memberships WHERE business_id = $1 LIMIT 1', [businessId]);
    const inserted = await system.db.query(
      `INSERT INTO pending_connections (business_id, user_id, platform, user_token_enc, choices, expires_at)
       VALUES ($1, $2, 'meta', 'v1.test1.x', '[]', now() - interval '1 minute'), ($1, $2, 'meta', 'v1.test1.y', '[]', now() + interval '1 hour')
       RETURNING id`,
      [businessId, userId],
    );
    expect((await api(`/api/v1/oauth/twitter/authorize?business_id=${businessId}`)).status).toBe(200);
    const left = await system.db.query('SELECT id FROM pending_connections WHERE id = ANY($1)', [
      inserted.map((r: { id: number }) => r.id),
    ]);
    expect(left.map((r: { id: number }) => r.id)).toEqual([inserted[1].id]);
  });
});
