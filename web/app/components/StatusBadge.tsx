import type { StatusLabel } from '../status.js';

export function StatusBadge({ status }: { status: StatusLabel }) {
  return (
    <span className={`status-badge status-badge--${status.tone}`}>
      <span className="status-badge__icon" aria-hidden="true" />
      {status.label}
    </span>
  );
}
