import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { useLoaderData } from '@remix-run/react';
import { ApiError, isNotAvailable, loadSection } from '../api.server.js';
import { businessPageTitle, parseBusinessId, useBusiness } from '../business-context.js';
import { PageErrorBoundary } from '../components/PageErrorBoundary.js';
import { SyncHistoryTable } from '../components/SyncHistoryTable.js';
import { SyncStatusPanel, type SyncNowResult } from '../components/SyncStatusPanel.js';
import { getSyncHistory, getSyncStatus, triggerSync } from '../endpoints.server.js';
import { useAutoRevalidate } from '../hooks/use-auto-revalidate.js';

export const meta: MetaFunction = ({ matches }) => [{ title: businessPageTitle(matches, 'Analytics') }];

const HISTORY_LIMIT = 10;

function businessIdOf(raw: string | undefined): number {
  const businessId = parseBusinessId(raw);
  if (businessId === undefined) throw data({ code: 'business_not_found' }, { status: 404 });
  return businessId;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const businessId = businessIdOf(params.businessId);
  const [syncStatus, history] = await Promise.all([
    loadSection(getSyncStatus(request, businessId)),
    loadSection(getSyncHistory(request, businessId, HISTORY_LIMIT)),
  ]);
  return { now: Date.now(), syncStatus, history };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const businessId = businessIdOf(params.businessId);
  const form = await request.formData();
  if (form.get('intent') !== 'sync') {
    return data<SyncNowResult>({ ok: false, message: 'Unknown action.', requestId: null }, { status: 400 });
  }
  try {
    const message = await triggerSync(request, businessId);
    return data<SyncNowResult>({ ok: true, message: message ?? 'Sync started. Results appear here as it runs.' });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const message = isNotAvailable(error) ? 'Sync now is not available yet.' : error.message;
    return data<SyncNowResult>({ ok: false, message, requestId: error.requestId }, { status: error.status });
  }
}

export default function Analytics() {
  const { business } = useBusiness();
  const { now, syncStatus, history } = useLoaderData<typeof loader>();
  const syncing = syncStatus.state === 'ready' && syncStatus.data.overall_status === 'syncing';
  // Like the seed's widget: fresh every 30 s, and every 5 s while a sync is running.
  useAutoRevalidate(syncing ? 5_000 : 30_000);

  return (
    <>
      <div className="page-heading">
        <h1>Analytics</h1>
        <p className="muted">How syncing is going for every connected account, and the latest sync runs.</p>
      </div>
      <SyncStatusPanel
        section={syncStatus}
        now={now}
        syncAction={`/b/${business.id}/analytics`}
        connectionsHref={`/b/${business.id}/connections`}
      />
      <SyncHistoryTable section={history} now={now} limit={HISTORY_LIMIT} />
    </>
  );
}

export const ErrorBoundary = PageErrorBoundary;
