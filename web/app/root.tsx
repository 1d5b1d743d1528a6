import type { LinksFunction, MetaFunction } from '@remix-run/node';
import { Links, Meta, Outlet, Scripts, ScrollRestoration, useNavigation, useRouteError } from '@remix-run/react';
import type { ReactNode } from 'react';
import { describeError, ErrorPanel } from './components/ErrorPanel.js';
import stylesHref from './styles.css?url';

const FAVICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='8' fill='%231d4ed8'/%3E%3Cpath d='M9 16a7 7 0 0 1 12-5M23 16a7 7 0 0 1-12 5' stroke='white' stroke-width='3' fill='none' stroke-linecap='round'/%3E%3C/svg%3E";

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: stylesHref },
  { rel: 'icon', href: FAVICON, type: 'image/svg+xml' },
];

export const meta: MetaFunction = ({ error }) => [
  { title: error ? 'Error · Social Sync' : 'Social Sync' },
  { name: 'description', content: 'Keep your social accounts connected and in sync.' },
];

export function Layout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light" />
        <Meta />
        <Links />
      </head>
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        {children}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  return (
    <>
      <NavigationProgress />
      <Outlet />
    </>
  );
}

/** A thin bar at the top while a page's data is loading, so a slow API never looks like a dead click. */
function NavigationProgress() {
  const navigation = useNavigation();
  return <div className="navigation-progress" data-active={navigation.state !== 'idle'} aria-hidden="true" />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  return (
    <main id="main" className="error-page">
      <ErrorPanel error={describeError(error)} headingLevel={1}>
        <p>
          <a className="button" href="/">
            Go to the dashboard
          </a>
        </p>
      </ErrorPanel>
    </main>
  );
}
