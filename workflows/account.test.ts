// The account workflow against the real Temporal dev server, started the way the API starts it.
import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAccountStatus, startAccountWorkflow } from '../api/account-workflows.js';
import type { Config } from '../lib/config.js';
import { seedDemo } from '../lib/db/seed.js';
import { accountWorkflowId } from '../lib/temporal.js';
import { createTestDatabase, startTestWorker, testConfig, testTemporalClient, type RunningTestWorker } from '../test/support/env.js';
import { disconnectUpdate } from './account.js';

let db: DataSource;
let client: Client;
let worker: RunningTestWorker;
let config: Config;
let businessId: number;

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  config = testConfig();
  client = await testTemporalClient();
  worker = await startTestWorker(config, db);
  ({ businessId } = await seedDemo(db, { email: 'wf@example.com', password: 'password-1', businessName: 'Wf Co' }));
});

afterAll(async () => {
  await worker?.stop();
  await client?.connection.close();
  await db?.destroy();
});

async function insertAccount(externalId: string): Promise<number> {
  const [row] = await db.query(
    `INSERT INTO social_accounts (business_id, platform, external_id, username, status, token_expires_at)
     VALUES ($1, 'twitter', $2, 'sandbox_x', 'active', now() + interval '2 hours') RETURNING id`,
    [businessId, externalId],
  );
  return row.id;
}

describe('account workflow', () => {
  it('starts from the API helper, answers its status query and is findable by search attributes', async () => {
    const accountId = await insertAccount('x-1');
    const handle = await startAccountWorkflow(client, config.TEMPORAL_TASK_QUEUE, {
      id: accountId,
      businessId,
      platform: 'twitter',
      username: 'sandbox_x',
    });
    expect(handle.workflowId).toBe(accountWorkflowId(accountId));

    // It answers at once ('connecting'), then takes the stored account's facts.
    await expect.poll(async () => (await queryAccountStatus(client, accountId)).status).toBe('active');
    const status = await queryAccountStatus(client, accountId);
    expect(status).toMatchObject({ accountId, businessId, platform: 'twitter', status: 'active', username: 'sandbox_x' });
    expect(Date.parse(status.tokenExpiresAt!)).toBeGreaterThan(Date.now());

    // Starting again is idempotent: the same run keeps going.
    const again = await startAccountWorkflow(client, config.TEMPORAL_TASK_QUEUE, { id: accountId, businessId, platform: 'twitter', username: 'sandbox_x' });
    expect(again.firstExecutionRunId).toBe(handle.firstExecutionRunId);

    const description = await handle.describe();
    expect(await description.staticSummary()).toContain('twitter account sandbox_x');
    await expect
      .poll(async () => {
        const found = [];
        for await (const wf of client.workflow.list({
          query: `BusinessId = "${businessId}" AND Platform = "twitter" AND AccountStatus = "active"`,
        })) found.push(wf.workflowId);
        return found;
      }, { timeout: 15_000 })
      .toContain(handle.workflowId);
  });

  it('disconnects through its update and completes', async () => {
    const accountId = await insertAccount('x-2');
    const handle = await startAccountWorkflow(client, config.TEMPORAL_TASK_QUEUE, { id: accountId, businessId, platform: 'twitter', username: 'sandbox_x' });
    expect(await handle.executeUpdate(disconnectUpdate)).toEqual({ status: 'disconnected' });
    expect(await handle.result()).toBe('disconnected');
  });
});
