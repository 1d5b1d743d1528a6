import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRegistry, httpMetrics, metricsEndpoint, routePattern } from './metrics.js';

let server: Server;
let base: string;
const seen: string[] = [];

beforeAll(async () => {
  const app = express();
  app.use(httpMetrics);
  app.get('/metrics', metricsEndpoint('metrics-secret'));
  const router = express.Router();
  router.get('/:platform/ok', (_req, res) => {
    res.json({});
  });
  router.get('/:platform/fail', () => {
    throw new Error('boom');
  });
  app.use('/api/v1/things', router);
  app.use(((_error, req, res, _next) => {
    seen.push(routePattern(req));
    res.status(500).end();
  }) as express.ErrorRequestHandler);
  server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(() => {
  server.close();
});

describe('API metrics', () => {
  it('labels requests with the route pattern, also when an error has left the router', async () => {
    await fetch(`${base}/api/v1/things/twitter/ok`);
    await fetch(`${base}/api/v1/things/meta/fail`);
    await fetch(`${base}/nowhere/42`);
    expect(seen).toEqual(['/api/v1/things/:platform/fail']);
    const text = await apiRegistry.metrics();
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="/api/v1/things/:platform/ok",status_code="200"} 1');
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="/api/v1/things/:platform/fail",status_code="500"} 1');
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"} 1');
  });

  it('with a metrics token, /metrics answers only the bearer of it', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const ok = await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer metrics-secret' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('text/plain');
    expect(await ok.text()).toContain('# TYPE oauth_outcomes_total counter');
  });
});
