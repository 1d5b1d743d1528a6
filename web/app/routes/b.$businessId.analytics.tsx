import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { useLoaderData } from '@remix-run/react';
import { useCallback, useState } from 'react';
import { ApiError, isNotAvailable, loadSection, requireBusinessId } from '../api.server.js';
import { businessPageTitle, useBusiness } from '../business-context.js';
import { MetricsCharts } from '../components/MetricsCharts.js';
import { PageErrorBoundary } from '../components/PageErrorBoundary.js';
import { SyncHistoryTable } from '../components/SyncHistoryTable.js';
import { SyncStatusPanel, type SyncNowResult } from '../components/SyncStatusPanel.js';
import { getSyncHistory, getSyncStatus, getTimeseries, triggerSync } from '../endpoints.server.js';
import { useAutoRevalidate } from '../hooks/use-auto-revalidate.js';
import { STATUS_REFRESH_MS } from '../progress.js';

export const meta: MetaFunction = ({ matches }) => [{ title: businessPageTitle(matches, 'Analytics') }];

const HISTORY_LIMIT = 10;
const CHART_DAYS = 30;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const businessId = requireBusinessId(params.businessId);
  const [syncStatus, history, timeseries] = await Promise.all([
    loadSection(getSyncStatus(request, businessId)),
    loadSection(getSyncHistory(request, businessId, HISTORY_LIMIT)),
    loadSection(getTimeseries(request, businessId, CHART_DAYS)),
  ]);
  return { now: Date.now(), syncStatus, history, timeseries };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const businessId = requireBusinessId(params.businessId);
  const form = await request.formData().catch(() => new FormData()); // a body that is not a form is an empty one
  if (form.get('intent') !== 'sync') {
    return data<SyncNowResult>({ ok: false, message: 'Unknown action.', requestId: null }, { status: 400 });
  }
  try {
    const started = await triggerSync(request, businessId);
    return data<SyncNowResult>({
      ok: true,
      message: started.message ?? 'Sync started. Results appear here as it runs.',
      triggered: started.triggered.map((t) => ({ ...t, account_id: String(t.account_id) })),
      skipped: started.skipped.map((s) => ({ ...s, account_id: String(s.account_id) })),
    });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const message = isNotAvailable(error) ? 'Sync now is not available yet.' : error.message;
    return data<SyncNowResult>({ ok: false, message, requestId: error.requestId }, { status: error.status });
  }
}

export default function Analytics() {
  const { business } = useBusiness();
  const { now, syncStatus, history, timeseries } = useLoaderData<typeof loader>();
  const [widgetSyncing, setWidgetSyncing] = useState(false);
  const syncing = widgetSyncing || (syncStatus.state === 'ready' && syncStatus.data.overall_status === 'syncing');
  // Fresh every 30 s, and every 2 s while a sync is running (the progress bars poll every second).
  useAutoRevalidate(syncing ? STATUS_REFRESH_MS.syncing : STATUS_REFRESH_MS.idle);
  const onSyncingChange = useCallback((value: boolean) => setWidgetSyncing(value), []);

  return (
    <>
      <div className="page-heading">
        <h1>Analytics</h1>
        <p className="muted">How syncing is going for every connected account, the latest sync runs, and how posts perform.</p>
      </div>
      <SyncStatusPanel
        section={syncStatus}
        now={now}
        businessId={business.id}
        syncAction={`/b/${business.id}/analytics`}
        connectionsHref={`/b/${business.id}/connections`}
        onSyncingChange={onSyncingChange}
      />
      <SyncHistoryTable section={history} now={now} limit={HISTORY_LIMIT} />
      <MetricsCharts section={timeseries} days={CHART_DAYS} />
    </>
  );
}

export const ErrorBoundary = PageErrorBoundary;
