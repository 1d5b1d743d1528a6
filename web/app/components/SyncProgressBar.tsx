// A live progress bar for one sync job: asks the progress resource route every second (through a
// fetcher) until the job completes or fails, then tells the page, which reloads its data.
import { useFetcher } from '@remix-run/react';
import { useEffect, useId, useRef, useState } from 'react';
import { accountName } from '../format.js';
import { platformDisplayName } from '../platforms.js';
import {
  isFailed,
  isFinished,
  PROGRESS_POLL_MS,
  progressAnnouncement,
  progressPercent,
  progressText,
  type ProgressResult,
} from '../progress.js';
import { PlatformBadge } from './PlatformBadge.js';

export interface TrackedJob {
  jobId: string;
  accountId: string;
  platform: string;
  username?: string | null;
}

/** A job id the API knows nothing about yet is normal for a moment (its run is being recorded); not forever. */
const MAX_MISSES = 30;

export function SyncProgressBar({
  job,
  businessId,
  onFinished,
}: {
  job: TrackedJob;
  businessId: number;
  onFinished: (jobId: string, failed: boolean) => void;
}) {
  const fetcher = useFetcher<ProgressResult>({ key: `sync-progress:${job.jobId}` });
  const url = `/b/${businessId}/sync-progress/${encodeURIComponent(job.jobId)}`;
  const [misses, setMisses] = useState(0);
  const result = fetcher.data;
  const view = result?.ok ? result.progress : undefined;
  const finished = view !== undefined && isFinished(view.status);
  const gaveUp = !finished && misses >= MAX_MISSES;

  // The fetcher changes identity every render; the timer reads the latest through refs.
  const fetcherRef = useRef(fetcher);
  // eslint-disable-next-line react-hooks/refs -- the latest-value ref as written; moving it into an effect awaits a browser-journey check
  fetcherRef.current = fetcher;
  useEffect(() => {
    if (finished || gaveUp) return;
    const tick = () => {
      if (fetcherRef.current.state === 'idle' && document.visibilityState !== 'hidden') fetcherRef.current.load(url);
    };
    tick();
    const timer = window.setInterval(tick, PROGRESS_POLL_MS);
    return () => window.clearInterval(timer);
  }, [url, finished, gaveUp]);

  useEffect(() => {
    if (result && !result.ok) setMisses((n) => n + 1);
    else if (result?.ok) setMisses(0);
  }, [result]);

  const reported = useRef(false);
  useEffect(() => {
    if (finished && view && !reported.current) {
      reported.current = true;
      onFinished(job.jobId, isFailed(view.status));
    }
  }, [finished, view, job.jobId, onFinished]);

  const name = platformDisplayName(job.platform);
  const labelId = useId();
  const account = accountName(job.username);
  const percent = view ? progressPercent(view) : undefined;
  const text = view
    ? progressText(view)
    : gaveUp
      ? 'Progress is not available for this sync. Its result will show in Recent syncs.'
      : 'Starting…';
  const state = view ? view.status : gaveUp ? 'unknown' : 'starting';

  return (
    <li className="sync-progress" data-job-id={job.jobId} data-status={state}>
      <div className="sync-progress__header">
        <PlatformBadge platform={job.platform} />
        <span id={labelId} className="sync-progress__label">
          {name} sync{account && <span className="muted"> · {account}</span>}
        </span>
        {view && isFailed(view.status) ? (
          <span className="sync-progress__percent sync-progress__percent--failed" aria-hidden="true">
            Failed
          </span>
        ) : (
          percent !== undefined && (
            <span className="sync-progress__percent" aria-hidden="true">
              {percent}%
            </span>
          )
        )}
      </div>
      <div
        className={`progress progress--${view ? (isFailed(view.status) ? 'failed' : finished ? 'done' : 'running') : 'indeterminate'}`}
        role="progressbar"
        aria-labelledby={labelId}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={percent === undefined ? text : `${percent}% — ${text}`}
      >
        <div className="progress__fill" style={percent === undefined ? undefined : { width: `${percent}%` }} />
      </div>
      <p className="sync-progress__text">{text}</p>
      {/* Announced when the step or outcome changes, not at every percent. */}
      <span className="visually-hidden" aria-live="polite">
        {view ? progressAnnouncement(name, view) : ''}
      </span>
    </li>
  );
}
