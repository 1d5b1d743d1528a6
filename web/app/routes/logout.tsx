import { redirect, type ActionFunctionArgs } from '@remix-run/node';
import { logOut } from '../endpoints.server.js';
import { logger } from '../logger.server.js';
import { destroySession, getSession } from '../session.server.js';

export async function action({ request }: ActionFunctionArgs) {
  const session = await getSession(request);
  if (session.get('apiToken')) {
    // Ends the session on the API too. Best effort: the cookie goes either way, and a 401 (already ended)
    // comes back as a redirect we do not need.
    await logOut(request).catch((error: unknown) => {
      if (!(error instanceof Response)) logger.warn({ event_type: 'logout_failed', err: error }, 'API logout failed');
    });
  }
  return redirect('/login', { headers: { 'Set-Cookie': await destroySession(session) } });
}

// Logging out changes state, so it is a POST (a form button); a visit to /logout just goes home.
export const loader = () => redirect('/');
