import { useRevalidator } from '@remix-run/react';
import type { Section } from '../api.server.js';
import { StatusBadge } from './StatusBadge.js';

type NotReady = Exclude<Section<unknown>, { state: 'ready' }>;

/**
 * A part of a page whose data is not there: "Not available yet" when the API does not serve it yet (a
 * neutral state, not a failure), or the API's error with its reference and a way to try again.
 */
export function SectionProblem({ section, what, compact = false }: { section: NotReady; what: string; compact?: boolean }) {
  const revalidator = useRevalidator();
  if (section.state === 'unavailable') {
    return (
      <div className="section-problem">
        <StatusBadge status={{ tone: 'neutral', label: 'Not available yet' }} />
        {!compact && <p className="muted">{what} is not available yet. It will appear here once Social Sync reports it.</p>}
      </div>
    );
  }
  const { error } = section;
  return (
    <div className="section-problem alert alert--error">
      <p>
        <strong>{what} could not be loaded.</strong> {error.message}
      </p>
      {error.requestId && (
        <p className="muted">
          Reference: <code>{error.requestId}</code>
        </p>
      )}
      <button
        type="button"
        className="button button--quiet"
        onClick={() => revalidator.revalidate()}
        disabled={revalidator.state !== 'idle'}
      >
        {revalidator.state === 'idle' ? 'Try again' : 'Loading…'}
      </button>
    </div>
  );
}
