// The Connections page's action (connect, refresh, disconnect, Meta page pick) against stubbed API calls:
// where it sends the browser, and what it tells the user when the API refuses.
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.LOG_LEVEL = 'silent';
});

const api = vi.hoisted(() => ({
  authorizePlatform: vi.fn(),
  refreshPlatformToken: vi.fn(),
  disconnectPlatform: vi.fn(),
  selectMetaPages: vi.fn(),
}));

vi.mock('./endpoints.server.js', async (importOriginal) => ({ ...(await importOriginal<object>()), ...api }));

import { ApiError } from './api.server.js';
import { connectionsAction as action } from './connections.server.js';

type Outcome = {
  type: string;
  data: { ok: boolean; tone: string; title: string; message: string; notice?: string };
  init: { status?: number } | null;
};

async function run(fields: Record<string, string | string[]>): Promise<Response | Outcome> {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) for (const v of [value].flat()) form.append(key, v);
  const request = new Request('http://web.test/b/7/connections', { method: 'POST', body: form });
  return action({ request, params: { businessId: '7' }, context: {} });
}

function outcome(result: Response | Outcome): Outcome {
  expect(result).not.toBeInstanceOf(Response);
  return result as Outcome;
}

beforeEach(() => {
  for (const fn of Object.values(api)) fn.mockReset();
});

describe('connect', () => {
  it("sends the browser (302) to the provider's consent page", async () => {
    api.authorizePlatform.mockResolvedValue({
      authorization_url: 'http://localhost:9/x/i/oauth2/authorize?state=s',
      setCookies: ['social_sync_oauth=b1nd; Max-Age=600; Path=/api/v1/oauth/twitter/callback; HttpOnly; SameSite=Lax'],
    });
    const response = await run({ intent: 'connect', platform: 'x' });

    expect(response).toBeInstanceOf(Response);
    expect((response as Response).status).toBe(302);
    expect((response as Response).headers.get('Location')).toBe('http://localhost:9/x/i/oauth2/authorize?state=s');
    expect(api.authorizePlatform).toHaveBeenCalledWith(expect.any(Request), 'twitter', 7);
    // The API's binding cookie is kept for this browser, for the dashboard's callback route only.
    const kept = (response as Response).headers.get('Set-Cookie')!;
    expect(kept).toMatch(/^__social_sync_oauth=[^;]+; Max-Age=600; Path=\/oauth\/twitter\/callback; HttpOnly; SameSite=Lax$/);
  });

  it('refuses to start when the API did not bind the sign-in to a browser', async () => {
    api.authorizePlatform.mockResolvedValue({ authorization_url: 'http://localhost:9/x/i/oauth2/authorize?state=s', setCookies: [] });
    const result = outcome(await run({ intent: 'connect', platform: 'twitter' }));
    expect(result.init?.status).toBe(502);
  });

  it('never redirects anywhere but http(s)', async () => {
    api.authorizePlatform.mockResolvedValue({ authorization_url: 'javascript:alert(1)', setCookies: ['social_sync_oauth=b; Path=/'] });
    const result = outcome(await run({ intent: 'connect', platform: 'twitter' }));
    expect(result.init?.status).toBe(502);
    expect(result.data.ok).toBe(false);
  });

  it('shows why the API would not start (e.g. a platform that is not configured)', async () => {
    api.authorizePlatform.mockRejectedValue(new ApiError(409, 'platform_not_configured', 'X is not configured on this server.', 'req-1'));
    const result = outcome(await run({ intent: 'connect', platform: 'twitter' }));
    expect(result.init?.status).toBe(409);
    expect(result.data).toMatchObject({
      ok: false,
      tone: 'danger',
      title: 'X is not set up on this server',
      message: 'X is not configured on this server.',
    });
  });

  it('refuses an unknown platform without calling the API', async () => {
    const result = outcome(await run({ intent: 'connect', platform: 'myspace' }));
    expect(result.init?.status).toBe(400);
    expect(api.authorizePlatform).not.toHaveBeenCalled();
  });
});

describe('refresh', () => {
  it('says when the token now expires', async () => {
    api.refreshPlatformToken.mockResolvedValue({
      success: true,
      expires_at: new Date(Date.now() + 2 * 3_600_000).toISOString(),
    });
    const result = outcome(await run({ intent: 'refresh', platform: 'twitter', account_id: '3', account_name: '@sandbox_x' }));
    expect(result.data).toMatchObject({
      ok: true,
      title: 'Token refreshed',
      message: 'X access for @sandbox_x was renewed. It now expires in 2 hours.',
    });
    expect(api.refreshPlatformToken).toHaveBeenCalledWith(expect.any(Request), 'twitter', 7, '3');
  });

  it("shows the workflow's reason when the refresh is refused (409)", async () => {
    api.refreshPlatformToken.mockRejectedValue(new ApiError(409, 'action_refused', 'A refresh is already running.', 'req-2'));
    const result = outcome(await run({ intent: 'refresh', platform: 'twitter', account_id: '3' }));
    expect(result.init?.status).toBe(409);
    expect(result.data).toMatchObject({
      ok: false,
      title: 'The token was not refreshed',
      message: 'A refresh is already running.',
    });
  });
});

describe('disconnect', () => {
  it('needs the explicit confirmation', async () => {
    const result = outcome(await run({ intent: 'disconnect', platform: 'twitter', account_id: '3' }));
    expect(result.init?.status).toBe(400);
    expect(api.disconnectPlatform).not.toHaveBeenCalled();
  });

  it('disconnects, and says so when the provider did not confirm the revocation', async () => {
    api.disconnectPlatform.mockResolvedValue({
      success: true,
      revoked_at_provider: false,
      revoke_error: 'X answered 503',
    });
    const result = outcome(
      await run({
        intent: 'disconnect',
        platform: 'twitter',
        account_id: '3',
        account_name: '@sandbox_x',
        confirm: 'yes',
      }),
    );
    expect(api.disconnectPlatform).toHaveBeenCalledWith(expect.any(Request), 'twitter', 7, '3');
    expect(result.data).toMatchObject({
      ok: true,
      title: 'X disconnected',
      message: '@sandbox_x is disconnected: Social Sync no longer syncs it.',
    });
    expect(result.data.notice).toMatch(/^X did not confirm that Social Sync's access was revoked \(X answered 503\)\. .*X settings\.$/);
  });

  it('has no notice when the provider revoked the access', async () => {
    api.disconnectPlatform.mockResolvedValue({ success: true, revoked_at_provider: true });
    const result = outcome(
      await run({
        intent: 'disconnect',
        platform: 'twitter',
        account_id: '3',
        account_name: '@sandbox_x',
        confirm: 'yes',
      }),
    );
    expect(result.data.message).toBe('@sandbox_x is disconnected: Social Sync no longer syncs it and its access at X was revoked.');
    expect(result.data.notice).toBeUndefined();
  });
});

describe('Meta page pick', () => {
  it('sends the picked Pages and Instagram accounts, then shows the connected banner', async () => {
    api.selectMetaPages.mockResolvedValue({ accounts: [] });
    const response = await run({
      intent: 'meta_select',
      pending_id: '12',
      page_ids: ['201', '202'],
      instagram_ids: '178',
    });
    expect(api.selectMetaPages).toHaveBeenCalledWith(expect.any(Request), 7, {
      pending_id: 12,
      page_ids: ['201', '202'],
      instagram_ids: ['178'],
    });
    expect((response as Response).status).toBe(303);
    expect((response as Response).headers.get('Location')).toBe('/b/7/connections?connected=meta');
  });

  it('asks for at least one pick, and explains an expired selection', async () => {
    expect(outcome(await run({ intent: 'meta_select', pending_id: '12' })).data.title).toBe('Nothing selected');
    api.selectMetaPages.mockRejectedValue(
      new ApiError(404, 'selection_expired', 'That Page selection has expired. Connect Meta again.', null),
    );
    const result = outcome(await run({ intent: 'meta_select', pending_id: '12', instagram_ids: '178' }));
    expect(result.data).toMatchObject({
      ok: false,
      title: 'The Page selection expired',
      message: 'That Page selection has expired. Connect Meta again.',
    });
  });
});
