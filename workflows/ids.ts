// Workflow ids and sync job ids: built and read back only here. No imports, so the workflow bundle,
// the API, the worker's logging and the dashboard can all use it.
//
//   account:<accountId>                           the account's entity workflow
//   account:<accountId>:sync:<run8>:<n>           a sync job: the n-th sync of the account, started in the
//                                                 run whose id begins with <run8> (unique across runs)
//   connect:oauth:<oauthStateId>                  one OAuth callback's connect workflow
//   connect:meta-selection:<pendingId>            one Meta Page pick's connect workflow
//   post:<postId>                                 one post's publishing workflow

export type WorkflowRef =
  | { kind: 'account'; accountId: number }
  | { kind: 'connect'; flow: 'oauth'; oauthStateId: number }
  | { kind: 'connect'; flow: 'meta-selection'; pendingId: number }
  | { kind: 'post'; postId: number };

export interface SyncJobRef {
  accountId: number;
  /** The first 8 characters of the run id that started the job. */
  run: string;
  /** The account's sync counter when the job started (carried across continue-as-new). */
  sequence: number;
}

export function accountWorkflowId(accountId: number): string {
  return `account:${accountId}`;
}

export function postWorkflowId(postId: number): string {
  return `post:${postId}`;
}

export function connectWorkflowId(
  connect: { kind: 'oauth_callback'; oauthStateId: number } | { kind: 'meta_selection'; pendingId: number },
): string {
  return connect.kind === 'oauth_callback' ? `connect:oauth:${connect.oauthStateId}` : `connect:meta-selection:${connect.pendingId}`;
}

export function syncJobId(accountId: number, runId: string, sequence: number): string {
  return `${accountWorkflowId(accountId)}:sync:${runId.slice(0, 8)}:${sequence}`;
}

/** The workflow an id names, or null for an id we did not build. */
export function parseWorkflowId(workflowId: string): WorkflowRef | null {
  const parts = workflowId.split(':');
  if (parts.length === 2 && parts[0] === 'account') {
    const accountId = positiveInt(parts[1]!);
    return accountId === null ? null : { kind: 'account', accountId };
  }
  if (parts.length === 2 && parts[0] === 'post') {
    const postId = positiveInt(parts[1]!);
    return postId === null ? null : { kind: 'post', postId };
  }
  if (parts.length === 3 && parts[0] === 'connect') {
    const id = positiveInt(parts[2]!);
    if (id === null) return null;
    if (parts[1] === 'oauth') return { kind: 'connect', flow: 'oauth', oauthStateId: id };
    if (parts[1] === 'meta-selection') return { kind: 'connect', flow: 'meta-selection', pendingId: id };
  }
  return null;
}

/** The account of an `account:<id>` workflow id, or null. */
export function accountIdOfWorkflow(workflowId: string): number | null {
  const ref = parseWorkflowId(workflowId);
  return ref?.kind === 'account' ? ref.accountId : null;
}

/** The parts of a sync job id, or null for anything else (so callers can answer 400 or 404). */
export function parseSyncJobId(jobId: string): SyncJobRef | null {
  const parts = jobId.split(':');
  if (parts.length !== 5 || parts[0] !== 'account' || parts[2] !== 'sync') return null;
  const accountId = positiveInt(parts[1]!);
  const sequence = positiveInt(parts[4]!);
  const run = parts[3]!;
  if (accountId === null || sequence === null || run.length === 0 || run.length > 8 || !isRunIdPrefix(run)) return null;
  return { accountId, run, sequence };
}

// Database ids are Postgres integers: anything else (signs, exponents, leading zeros, overflow) is not ours.
function positiveInt(text: string): number | null {
  if (text.length === 0 || text.length > 10 || text[0] === '0') return null;
  for (const c of text) if (c < '0' || c > '9') return null;
  const value = Number(text);
  return value <= 2_147_483_647 ? value : null;
}

// Run ids are UUIDs: hex digits and dashes.
function isRunIdPrefix(text: string): boolean {
  for (const c of text.toLowerCase()) if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c === '-')) return false;
  return true;
}
