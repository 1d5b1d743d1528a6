import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { useLoaderData } from '@remix-run/react';
import { loadSection, throwRouteError, type Section } from '../api.server.js';
import { businessPageTitle, parseBusinessId, useBusiness } from '../business-context.js';
import { PageErrorBoundary } from '../components/PageErrorBoundary.js';
import { PlatformBadge } from '../components/PlatformBadge.js';
import { RelativeTime } from '../components/RelativeTime.js';
import { SectionProblem } from '../components/SectionProblem.js';
import { StatusBadge } from '../components/StatusBadge.js';
import { getConnectionStatus, listPlatforms, type ConnectionStatus } from '../endpoints.server.js';
import { platformDisplayName } from '../platforms.js';
import { connectionLabel } from '../status.js';

export const meta: MetaFunction = ({ matches }) => [{ title: businessPageTitle(matches, 'Connections') }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const businessId = parseBusinessId(params.businessId);
  if (businessId === undefined) throw data({ code: 'business_not_found' }, { status: 404 });
  const platforms = await listPlatforms(request).catch(throwRouteError);
  const statuses = await Promise.all(
    platforms.map((p) => loadSection(getConnectionStatus(request, p.name, businessId))),
  );
  return {
    now: Date.now(),
    platforms: platforms.map((p, i) => ({
      name: p.name,
      displayName: platformDisplayName(p.name, p.display_name),
      connection: statuses[i]!,
    })),
  };
}

export default function Connections() {
  const { business } = useBusiness();
  const { platforms, now } = useLoaderData<typeof loader>();
  const nothingAvailable = platforms.length > 0 && platforms.every((p) => p.connection.state === 'unavailable');

  return (
    <>
      <div className="page-heading">
        <h1>Connections</h1>
        <p className="muted">The social accounts {business.name} has connected, and the state of each.</p>
      </div>

      {nothingAvailable && (
        <p className="notice" role="note">
          Connection status is not available yet. The platforms are listed below; their status will appear here as soon
          as Social Sync reports it.
        </p>
      )}

      {platforms.length === 0 ? (
        <p className="panel empty-state">No platforms are available.</p>
      ) : (
        <ul className="card-grid card-grid--wide" aria-label="Platforms">
          {platforms.map((p) => (
            <li key={p.name} id={`platform-${p.name}`} className="card" data-platform={p.name}>
              <div className="card__header">
                <PlatformBadge platform={p.name} />
                <h2 className="card__title">{p.displayName}</h2>
              </div>
              <ConnectionDetails connection={p.connection} now={now} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function ConnectionDetails({ connection, now }: { connection: Section<ConnectionStatus>; now: number }) {
  if (connection.state !== 'ready') return <SectionProblem section={connection} what="Status" compact />;
  const status = connection.data;
  const accounts = status.accounts ?? [];
  return (
    <>
      <StatusBadge status={connectionLabel(status)} />
      {status.is_connected && (
        <dl className="facts">
          {status.username && (
            <div>
              <dt>Account</dt>
              <dd>{status.username}</dd>
            </div>
          )}
          {status.expires_at && (
            <div>
              <dt>Access expires</dt>
              <dd>
                <RelativeTime iso={status.expires_at} now={now} />
              </dd>
            </div>
          )}
        </dl>
      )}
      {accounts.length > 1 && (
        <ul className="account-list" aria-label="Connected accounts">
          {accounts.map((a) => (
            <li key={a.id}>
              {a.username ?? `Account ${a.id}`}
              {a.status && <span className="muted"> · {a.status.replace(/_/g, ' ')}</span>}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export const ErrorBoundary = PageErrorBoundary;
