// GET /b/{businessId}/sync-progress/{jobId}: a running sync's progress for the Analytics page's progress
// bar, which asks every second. A resource route (JSON, no page) that proxies the API through apiFetch,
// so the browser still never calls the API. The API checks that the job belongs to one of the user's
// businesses. Always 200 with `{ ok }`, so a fetcher shows a miss in place instead of an error page.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { ApiError } from '../api.server.js';
import { getSyncProgress } from '../endpoints.server.js';
import type { ProgressResult } from '../progress.js';

const JOB_ID = /^[A-Za-z0-9:._-]{1,200}$/;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const jobId = params.jobId ?? '';
  if (!JOB_ID.test(jobId)) return json({ ok: false, status: 400, code: 'invalid_job', message: 'Not a sync job id.' });
  try {
    return json({ ok: true, progress: await getSyncProgress(request, jobId) });
  } catch (error) {
    // Signed out: say so; the page's own reload sends the browser to the login page (and back to the page,
    // not to this JSON).
    if (error instanceof Response && error.status >= 300 && error.status < 400) {
      return json({ ok: false, status: 401, code: 'unauthenticated', message: 'Signed out.' });
    }
    if (!(error instanceof ApiError)) throw error;
    return json({ ok: false, status: error.status, code: error.code, message: error.message });
  }
}

function json(body: ProgressResult): Response {
  return Response.json(body, { headers: { 'Cache-Control': 'private, no-store' } });
}
