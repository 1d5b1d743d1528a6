// The Connections page's loader against stubbed API calls: which Meta Page selection it shows.
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.LOG_LEVEL = 'silent';
});

const api = vi.hoisted(() => ({
  listPlatforms: vi.fn(),
  getSyncStatus: vi.fn(),
  getMetaPages: vi.fn(),
}));

vi.mock('./endpoints.server.js', async (importOriginal) => ({ ...(await importOriginal<object>()), ...api }));

import { ApiError } from './api.server.js';
import { connectionsLoader } from './connections.server.js';

const PAGES = { pending_id: 41, platform: 'meta', expires_at: null, pages: [] };

function load(query: string) {
  const request = new Request(`http://web.test/b/7/connections${query}`);
  return connectionsLoader({ request, params: { businessId: '7' }, context: {} });
}

beforeEach(() => {
  for (const fn of Object.values(api)) fn.mockReset();
  api.listPlatforms.mockResolvedValue([{ name: 'meta', display_name: 'Facebook Pages', configured: true }]);
  api.getSyncStatus.mockResolvedValue({ overall_status: 'idle', connected_platforms: 0, platforms: {}, accounts: [] });
});

describe('the Meta Page picker', () => {
  it('shows the selection the URL names', async () => {
    api.getMetaPages.mockResolvedValue(PAGES);
    const page = await load('?meta_pending=41');
    expect(api.getMetaPages).toHaveBeenCalledWith(expect.any(Request), 7, 41);
    expect(page).toMatchObject({ pendingId: 41, metaPages: { state: 'ready', data: PAGES } });
  });

  it("after a callback the API stopped waiting for, shows the user's newest open selection once it exists", async () => {
    api.getMetaPages.mockRejectedValueOnce(new ApiError(404, 'not_found', 'Page selection not found.', null));
    expect(await load('?error=connect_pending&platform=meta')).toMatchObject({ pendingId: null, metaPages: null });

    api.getMetaPages.mockResolvedValueOnce(PAGES);
    expect(await load('?error=connect_pending&platform=meta')).toMatchObject({ pendingId: 41, metaPages: { state: 'ready' } });
    expect(api.getMetaPages).toHaveBeenLastCalledWith(expect.any(Request), 7);
  });

  it('asks for no selection otherwise', async () => {
    for (const query of ['', '?error=connect_pending&platform=twitter', '?connected=meta', '?meta_pending=abc']) {
      expect(await load(query)).toMatchObject({ pendingId: null, metaPages: null });
    }
    expect(api.getMetaPages).not.toHaveBeenCalled();
  });
});

describe('the platform cards', () => {
  it('come from the one sync-status read, each platform with its own accounts', async () => {
    api.listPlatforms.mockResolvedValue([
      { name: 'twitter', display_name: 'X', configured: true },
      { name: 'linkedin', display_name: 'LinkedIn', configured: true },
    ]);
    api.getSyncStatus.mockResolvedValue({
      overall_status: 'error',
      connected_platforms: 1,
      platforms: {},
      accounts: [
        {
          account_id: 3,
          platform: 'twitter',
          status: 'error',
          account_status: 'reconnect_required',
          status_message: 'the grant was revoked',
          token_expires_at: '2026-12-03T00:00:00.000Z',
          requires_refresh: true,
          can_refresh: true,
          last_sync: '2026-12-02T10:00:00.000Z',
          username: 'acme',
          display_name: 'Acme',
        },
      ],
    });
    const page = await load('');
    expect(api.getSyncStatus).toHaveBeenCalledTimes(1);
    expect(page.platforms.map((p) => [p.name, p.connection])).toEqual([
      [
        'twitter',
        {
          state: 'ready',
          data: {
            is_connected: true,
            accounts: [
              expect.objectContaining({
                id: 3,
                status: 'reconnect_required',
                status_message: 'the grant was revoked',
                expires_at: '2026-12-03T00:00:00.000Z',
                requires_refresh: true,
                can_refresh: true,
                last_sync_at: '2026-12-02T10:00:00.000Z',
                username: 'acme',
              }),
            ],
          },
        },
      ],
      ['linkedin', { state: 'ready', data: { is_connected: false, accounts: [] } }],
    ]);
  });

  it('share the problem when sync-status cannot be read', async () => {
    api.getSyncStatus.mockRejectedValue(new ApiError(503, 'unavailable', 'Down.', null));
    const page = await load('');
    expect(page.syncStatus.state).toBe('error');
    expect(page.platforms[0]!.connection).toEqual(page.syncStatus);
  });
});
