// The business switcher's target: /b?business=<id>&section=<tab>. A plain GET form, so switching works
// before the page's JavaScript has loaded. Membership is checked where it leads (the business layout).
import { redirect, type LoaderFunctionArgs } from '@remix-run/node';
import { requireApiToken } from '../session.server.js';

const SECTIONS = new Set(['connections', 'analytics']);

export async function loader({ request }: LoaderFunctionArgs) {
  await requireApiToken(request);
  const params = new URL(request.url).searchParams;
  const business = params.get('business') ?? '';
  const section = params.get('section') ?? '';
  if (!/^[1-9]\d*$/.test(business)) throw redirect('/');
  throw redirect(`/b/${business}${SECTIONS.has(section) ? `/${section}` : ''}`);
}
