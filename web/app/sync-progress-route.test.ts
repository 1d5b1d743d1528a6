// The progress resource route: always a 200 JSON answer the progress bar can show in place.
import { redirect } from '@remix-run/node';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.LOG_LEVEL = 'silent';
});

const getSyncProgress = vi.hoisted(() => vi.fn());
vi.mock('./endpoints.server.js', async (importOriginal) => ({ ...(await importOriginal<object>()), getSyncProgress }));

import { ApiError } from './api.server.js';
import { loader } from './routes/b.$businessId_.sync-progress.$jobId.js';

async function load(jobId: string): Promise<{ status: number; body: unknown }> {
  const request = new Request(`http://web.test/b/1/sync-progress/${encodeURIComponent(jobId)}`);
  const response = await loader({ request, params: { businessId: '1', jobId }, context: {} });
  return { status: response.status, body: await response.json() };
}

beforeEach(() => {
  getSyncProgress.mockReset();
});

describe('GET /b/:businessId/sync-progress/:jobId', () => {
  it("passes on the API's progress", async () => {
    const progress = {
      job_id: 'account:1:sync:ab:2',
      status: 'running',
      progress: 40,
      current_step: 'Fetching posts and metrics',
    };
    getSyncProgress.mockResolvedValue(progress);
    expect(await load('account:1:sync:ab:2')).toEqual({ status: 200, body: { ok: true, progress } });
    expect(getSyncProgress).toHaveBeenCalledWith(expect.any(Request), 'account:1:sync:ab:2');
  });

  it('answers a job the API does not know (yet) as a miss, not an error page', async () => {
    getSyncProgress.mockRejectedValue(new ApiError(404, 'not_found', 'Sync job not found.', 'r1'));
    expect(await load('account:1:sync:ab:3')).toEqual({
      status: 200,
      body: { ok: false, status: 404, code: 'not_found', message: 'Sync job not found.' },
    });
  });

  it('refuses what is not a job id without calling the API', async () => {
    expect((await load('../../etc')).body).toMatchObject({ ok: false, status: 400 });
    expect(getSyncProgress).not.toHaveBeenCalled();
  });

  it('says "signed out" instead of following the login redirect', async () => {
    getSyncProgress.mockRejectedValue(redirect('/login?redirectTo=%2Fb%2F1%2Fsync-progress%2Fx'));
    expect((await load('x')).body).toMatchObject({ ok: false, status: 401, code: 'unauthenticated' });
  });
});
