// How a status the API reports is shown: a tone (colour and icon) and words. The words always carry the
// meaning; colour only repeats it.

type Tone = 'success' | 'warning' | 'danger' | 'info' | 'neutral';

export interface StatusLabel {
  tone: Tone;
  label: string;
}

/** An overall or per-platform sync status (the seed's idle / syncing / error / success, and the account statuses). */
export function syncStatusLabel(status: string): StatusLabel {
  switch (status) {
    case 'success':
    case 'active':
      return { tone: 'success', label: 'Synced' };
    case 'syncing':
    case 'running':
      return { tone: 'info', label: 'Syncing' };
    case 'refreshing':
      return { tone: 'info', label: 'Refreshing' };
    case 'idle':
      return { tone: 'warning', label: 'Idle' };
    case 'error':
    case 'failed':
      return { tone: 'danger', label: 'Needs attention' };
    case 'reconnect_required':
      return { tone: 'danger', label: 'Reconnect required' };
    default:
      return { tone: 'neutral', label: humanize(status) };
  }
}

/** One sync run in the history: it synced, is syncing, or failed. */
export function runStatusLabel(status: string): StatusLabel {
  switch (status) {
    case 'success':
    case 'completed':
      return { tone: 'success', label: 'Synced' };
    case 'running':
    case 'syncing':
      return { tone: 'info', label: 'Syncing' };
    case 'error':
    case 'failed':
      return { tone: 'danger', label: 'Failed' };
    default:
      return syncStatusLabel(status);
  }
}

/** One account's connection, as its card shows it. */
export function connectionLabel(connection: {
  is_connected: boolean;
  status?: string | null;
  requires_refresh?: boolean | null;
}): StatusLabel {
  if (connection.status === 'reconnect_required') return { tone: 'danger', label: 'Reconnect required' };
  if (!connection.is_connected) {
    return connection.status === 'connecting' ? { tone: 'info', label: 'Connecting' } : { tone: 'neutral', label: 'Not connected' };
  }
  if (connection.requires_refresh) return { tone: 'warning', label: 'Reconnect soon' };
  if (connection.status === 'syncing') return { tone: 'info', label: 'Syncing' };
  if (connection.status === 'refreshing') return { tone: 'info', label: 'Refreshing' };
  return { tone: 'success', label: 'Connected' };
}

/** Whether a platform's sync status means the business has to act (reconnect) before syncing resumes. */
export function needsReconnect(status: string, message?: string | null): boolean {
  return status === 'reconnect_required' || (status === 'error' && /re-?auth|reconnect|expired/i.test(message ?? ''));
}

/** Who started a run: the schedule, a person (Sync now), or a new connection. */
export function triggerLabel(trigger: string | null | undefined): string {
  switch (trigger) {
    case 'manual':
      return 'Sync now';
    case 'schedule':
      return 'Schedule';
    case 'connect':
      return 'New connection';
    case null:
    case undefined:
    case '':
      return '—';
    default:
      return humanize(trigger);
  }
}

function humanize(value: string): string {
  const words = value.replace(/[_-]+/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : 'Unknown';
}
