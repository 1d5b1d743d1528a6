// Activities: every side effect the workflows need. Built from explicit dependencies so the worker and
// the tests wire the same code to their own database.
import { ApplicationFailure } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import { SocialAccountEntity } from '../lib/db/entities.js';
import type { AccountStatus, Platform } from '../lib/domain.js';

export interface ActivityDeps {
  db: DataSource;
}

/** What a workflow may know about an account: ids and non-secret metadata, never tokens. */
export interface AccountSnapshot {
  accountId: number;
  businessId: number;
  platform: Platform;
  username: string | null;
  status: AccountStatus;
  statusMessage: string | null;
  tokenExpiresAt: string | null;
}

export function createActivities(deps: ActivityDeps) {
  const accounts = deps.db.getRepository(SocialAccountEntity);

  return {
    async loadAccount(accountId: number): Promise<AccountSnapshot> {
      const account = await accounts.findOneBy({ id: accountId });
      if (!account) {
        throw ApplicationFailure.nonRetryable(`Account ${accountId} does not exist.`, 'AccountNotFound');
      }
      return {
        accountId: account.id,
        businessId: account.businessId,
        platform: account.platform,
        username: account.username,
        status: account.status,
        statusMessage: account.statusMessage,
        tokenExpiresAt: account.tokenExpiresAt?.toISOString() ?? null,
      };
    },
  };
}

export type AccountActivities = ReturnType<typeof createActivities>;
