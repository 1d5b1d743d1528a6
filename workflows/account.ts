// The account entity workflow: one long-lived run per connected social account (id `account:<id>`).
// It owns the account's live state and is the only writer of its tokens. Deterministic code only:
// all I/O happens in activities, and nothing secret ever enters its inputs, state or history.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { AccountStatus, Platform } from '../lib/domain.js';
import type { AccountActivities } from '../activities/index.js';
import { searchAttributes } from '../lib/temporal-keys.js';

export interface AccountWorkflowInput {
  accountId: number;
  businessId: number;
  platform: Platform;
  /** Carried across continue-as-new. */
  state?: AccountState;
}

export interface AccountState {
  accountId: number;
  businessId: number;
  platform: Platform;
  username: string | null;
  status: AccountStatus;
  statusMessage: string | null;
  tokenExpiresAt: string | null;
  cycles: number;
}

export type AccountStatusView = AccountState & { workflowId: string };

export const statusQuery = defineQuery<AccountStatusView>('status');
export const reconnectedSignal = defineSignal('reconnected');
export const disconnectUpdate = defineUpdate<{ status: AccountStatus }>('disconnect');

const { loadAccount } = proxyActivities<AccountActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

// Bounds history size even when the server does not suggest continue-as-new first.
const MAX_CYCLES_PER_RUN = 500;

export async function accountWorkflow(input: AccountWorkflowInput): Promise<AccountStatus> {
  // Handlers are registered before the first await, so a query or update sent at start finds them.
  const state: AccountState = input.state ?? {
    accountId: input.accountId,
    businessId: input.businessId,
    platform: input.platform,
    username: null,
    status: 'connecting',
    statusMessage: null,
    tokenExpiresAt: null,
    cycles: 0,
  };
  let disconnectRequested = false;
  let reconnected = false;

  setHandler(statusQuery, () => ({ ...state, workflowId: workflowInfo().workflowId }));
  setHandler(reconnectedSignal, () => {
    reconnected = true;
  });
  setHandler(
    disconnectUpdate,
    async () => {
      disconnectRequested = true;
      return { status: 'disconnected' as const };
    },
    {
      validator: () => {
        if (state.status === 'disconnected') throw new Error('The account is already disconnected.');
      },
    },
  );

  if (!input.state) await reloadAccount(state);

  while (!disconnectRequested) {
    await condition(() => disconnectRequested || reconnected);
    if (reconnected) {
      reconnected = false;
      await reloadAccount(state);
    }
    state.cycles += 1;
    if (!disconnectRequested && (workflowInfo().continueAsNewSuggested || state.cycles >= MAX_CYCLES_PER_RUN)) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof accountWorkflow>({ ...input, state: { ...state, cycles: 0 } });
    }
  }

  state.status = 'disconnected';
  publishSearchAttributes(state);
  await condition(allHandlersFinished);
  return state.status;
}

/** Takes the account's stored, non-secret facts (after a connect or reconnect) into the live state. */
async function reloadAccount(state: AccountState): Promise<void> {
  Object.assign(state, await loadAccount(state.accountId));
  publishSearchAttributes(state);
}

function publishSearchAttributes(state: AccountState): void {
  upsertSearchAttributes([
    { key: searchAttributes.businessId, value: String(state.businessId) },
    { key: searchAttributes.platform, value: state.platform },
    { key: searchAttributes.accountStatus, value: state.status },
    { key: searchAttributes.tokenExpiresAt, value: state.tokenExpiresAt ? new Date(state.tokenExpiresAt) : null },
  ]);
}
