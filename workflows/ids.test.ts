import { describe, expect, it } from 'vitest';
import { accountIdOfWorkflow, accountWorkflowId, connectWorkflowId, parseSyncJobId, parseWorkflowId, syncJobId } from './ids.js';

describe('workflow ids', () => {
  it('reads back every id it builds', () => {
    expect(parseWorkflowId(accountWorkflowId(12))).toEqual({ kind: 'account', accountId: 12 });
    expect(parseWorkflowId(connectWorkflowId({ kind: 'oauth_callback', oauthStateId: 7 }))).toEqual({
      kind: 'connect',
      flow: 'oauth',
      oauthStateId: 7,
    });
    expect(parseWorkflowId(connectWorkflowId({ kind: 'meta_selection', pendingId: 9 }))).toEqual({
      kind: 'connect',
      flow: 'meta-selection',
      pendingId: 9,
    });
    expect(connectWorkflowId({ kind: 'meta_selection', pendingId: 9 })).toBe('connect:meta-selection:9');
  });

  it('names the account of an account workflow only', () => {
    expect(accountIdOfWorkflow('account:12')).toBe(12);
    expect(accountIdOfWorkflow('connect:oauth:12')).toBeNull();
    expect(accountIdOfWorkflow('account:12:sync:ab:1')).toBeNull();
  });

  it.each([
    'account:',
    'account:x',
    'account:-1',
    'account:1e3',
    'account:012',
    'account:99999999999',
    'account:2147483648',
    'connect:oauth:',
    'connect:other:1',
    'post:0',
    'post:x',
    '',
  ])('refuses %j', (id) => expect(parseWorkflowId(id)).toBeNull());
});

it('reads a post workflow id back', () => expect(parseWorkflowId('post:7')).toEqual({ kind: 'post', postId: 7 }));

describe('sync job ids', () => {
  it('builds the id the sync_runs rows carry and reads it back', () => {
    const jobId = syncJobId(3389001, '82bb0226-6eb0-4b1e-8000-000000000000', 4);
    expect(jobId).toBe('account:3389001:sync:82bb0226:4');
    expect(parseSyncJobId(jobId)).toEqual({ accountId: 3389001, run: '82bb0226', sequence: 4 });
  });

  it.each([
    'account:1:sync:ab',
    'account:1:sync::2',
    'account:1:sync:zz:2',
    'account:1:sync:ab:0',
    'account:x:sync:ab:1',
    'account:1:post:ab:1',
    'account:1:sync:123456789:1',
    '../../etc',
    'account:1:sync:ab:2:3',
  ])('refuses %j', (id) => expect(parseSyncJobId(id)).toBeNull());
});
