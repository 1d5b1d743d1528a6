// /health says the process is alive; /ready says it can do its job (Postgres and Temporal answer).
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';

export function healthRoutes(db: DataSource, temporal: Client): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    const [postgres, temporalOk] = await Promise.all([
      withTimeout(
        db.query('SELECT 1').then(() => true),
        2_000,
      ),
      withTimeout(
        temporal.workflowService.getSystemInfo({}).then(() => true),
        2_000,
      ),
    ]);
    const ready = postgres && temporalOk;
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not_ready',
      checks: { postgres: postgres ? 'ok' : 'unavailable', temporal: temporalOk ? 'ok' : 'unavailable' },
    });
  });
  return router;
}

function withTimeout(check: Promise<boolean>, ms: number): Promise<boolean> {
  return Promise.race([check.catch(() => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref())]);
}
