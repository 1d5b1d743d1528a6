// The signed-in app for one business: header, section tabs, and the page. The business must be one the
// API lists for this user; any other id (someone else's, deleted, made up) is a 404, like the API's.
import { data, type LoaderFunctionArgs } from '@remix-run/node';
import { NavLink, Outlet, useLoaderData, useLocation, useNavigation, useRouteError, type ShouldRevalidateFunction } from '@remix-run/react';
import { throwRouteError } from '../api.server.js';
import { parseBusinessId, type BusinessContext } from '../business-context.js';
import { AppHeader } from '../components/AppHeader.js';
import { describeError, ErrorPanel } from '../components/ErrorPanel.js';
import { getMe } from '../endpoints.server.js';
import { commitSession, getSession } from '../session.server.js';

export async function loader({ request, params }: LoaderFunctionArgs) {
  const me = await getMe(request).catch(throwRouteError);
  const businessId = parseBusinessId(params.businessId);
  const business = me.businesses.find((b) => b.id === businessId);
  if (!business) {
    throw data(
      { code: 'business_not_found', message: 'This business does not exist, or you are not a member of it.', requestId: null },
      { status: 404 },
    );
  }

  // Remember the choice, so the next visit to / opens this business.
  const session = await getSession(request);
  const headers = new Headers();
  if (session.get('businessId') !== business.id) {
    session.set('businessId', business.id);
    headers.append('Set-Cookie', await commitSession(session));
  }
  return data(
    {
      user: { email: me.user.email, name: me.user.name },
      business,
      businesses: me.businesses.map(({ id, name }) => ({ id, name })),
    },
    { headers },
  );
}

// A page's timed refresh (same URL, no form) reloads the page's data, not who the user is and which
// businesses they have; a session that has ended still shows, because the page's own API calls get a 401.
export const shouldRevalidate: ShouldRevalidateFunction = ({ currentUrl, nextUrl, formMethod, defaultShouldRevalidate }) =>
  !formMethod && currentUrl.href === nextUrl.href ? false : defaultShouldRevalidate;

const SECTIONS = [
  { path: '', label: 'Overview' },
  { path: 'connections', label: 'Connections' },
  { path: 'analytics', label: 'Analytics' },
  { path: 'posts', label: 'Posts' },
  { path: 'calendar', label: 'Calendar' },
] as const;

export default function BusinessLayout() {
  const { user, business, businesses } = useLoaderData<typeof loader>();
  const section = useLocation().pathname.split('/')[3] ?? '';
  const loading = useNavigation().state === 'loading';
  const context: BusinessContext = { business, user };

  return (
    <>
      <AppHeader user={user} business={business} businesses={businesses} section={section} />
      <nav className="tabs" aria-label="Sections">
        <ul className="tabs__list">
          {SECTIONS.map((s) => (
            <li key={s.path}>
              <NavLink
                to={s.path ? `/b/${business.id}/${s.path}` : `/b/${business.id}`}
                // Posts stays the current tab on its sub-pages (new, edit).
                end={s.path !== 'posts'}
                // No prefetch: page data is private and no-store, so a prefetch on hover cannot be reused
                // and would double every page's API calls (the API rate-limits OAuth reads per user).
                prefetch="none"
                className="tabs__link"
              >
                {s.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="page" aria-busy={loading || undefined}>
        <Outlet context={context} />
      </main>
    </>
  );
}

export function ErrorBoundary() {
  const error = describeError(useRouteError());
  return (
    <>
      <AppHeader />
      <main id="main" className="page">
        <ErrorPanel error={error} headingLevel={1}>
          <p className="actions">
            <a className="button" href="/">
              Go to your dashboard
            </a>
          </p>
        </ErrorPanel>
      </main>
    </>
  );
}
