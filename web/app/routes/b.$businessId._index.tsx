import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { throwRouteError } from '../api.server.js';
import { businessPageTitle, useBusiness } from '../business-context.js';
import { PageErrorBoundary } from '../components/PageErrorBoundary.js';
import { PlatformBadge } from '../components/PlatformBadge.js';
import { listPlatforms } from '../endpoints.server.js';
import { platformDisplayName } from '../platforms.js';

export const meta: MetaFunction = ({ matches }) => [{ title: businessPageTitle(matches, 'Overview') }];

export async function loader({ request }: LoaderFunctionArgs) {
  const platforms = await listPlatforms(request).catch(throwRouteError);
  return {
    platforms: platforms.map((p) => ({ name: p.name, displayName: platformDisplayName(p.name, p.display_name) })),
  };
}

export default function Overview() {
  const { business } = useBusiness();
  const { platforms } = useLoaderData<typeof loader>();

  return (
    <>
      <div className="page-heading">
        <h1>{business.name}</h1>
        <p className="muted">Overview · your role: {business.role}</p>
      </div>

      <section aria-labelledby="platforms-title" className="section">
        <h2 id="platforms-title">Platforms</h2>
        <p className="muted">
          Social Sync keeps these accounts connected and in sync. The Connections tab shows the state of each account; the Analytics tab
          shows how syncing is going.
        </p>
        {platforms.length === 0 ? (
          <p className="panel empty-state">No platforms are available.</p>
        ) : (
          <ul className="card-grid" aria-label="Supported platforms">
            {platforms.map((p) => (
              <li key={p.name} className="card" data-platform={p.name}>
                <PlatformBadge platform={p.name} />
                <h3 className="card__title">{p.displayName}</h3>
                <Link className="card__link" to={`/b/${business.id}/connections#platform-${p.name}`}>
                  Connection status<span className="visually-hidden"> for {p.displayName}</span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

export const ErrorBoundary = PageErrorBoundary;
