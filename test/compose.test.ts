// No Docker engine runs here, so the production topology is checked as far as a machine without one
// can: the compose file parses, names every service, and insists on its secrets.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function compose(args: string[], env: Record<string, string> = {}) {
  const v2 = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0;
  const command = v2 ? ['docker', 'compose'] : ['docker-compose'];
  return spawnSync(command[0]!, [...command.slice(1), ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env },
  });
}

const secrets = {
  POSTGRES_PASSWORD: 'pw',
  SESSION_SECRET: 'session',
  TOKEN_ENCRYPTION_KEYS: 'k1:key',
  METRICS_TOKEN: 'metrics',
  MEDIA_URL_SECRET: 'media',
  DASHBOARD_API_SECRET: 'dashboard',
  PUBLIC_API_URL: 'https://api.example.com',
  PUBLIC_WEB_URL: 'https://app.example.com',
};

describe('docker-compose.yml', () => {
  it('parses (docker compose config -q)', () => {
    const result = compose(['config', '-q'], secrets);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('has the production services', () => {
    const services = compose(['config', '--services'], secrets).stdout.trim().split('\n').sort();
    expect(services).toEqual(['api', 'migrate', 'postgres', 'temporal', 'temporal-setup', 'temporal-ui', 'web', 'worker']);
  });

  it('refuses to run without its secrets', () => {
    const result = compose(['config', '-q']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/POSTGRES_PASSWORD|SESSION_SECRET|TOKEN_ENCRYPTION_KEYS/);
    // Each one on its own: /metrics is open without its token, the public URLs have no safe default, and
    // without the dashboard's secret every login would count from the dashboard's address.
    for (const name of Object.keys(secrets)) {
      const without = compose(['config', '-q'], { ...secrets, [name]: '' });
      expect(without.status, name).not.toBe(0);
      expect(without.stderr).toContain(name);
    }
  });

  it('keeps the worker scalable: no published ports and no fixed container name', () => {
    const resolved = compose(['config'], secrets).stdout;
    const worker = resolved.split(/\n {2}(?=\S)/).find((block) => block.startsWith('worker:'));
    expect(worker).toBeDefined();
    expect(worker).not.toMatch(/ports:|container_name:/);
  });

  const serviceBlock = (name: string) =>
    compose(['config'], secrets)
      .stdout.split(/\n {2}(?=\S)/)
      .find((block) => block.startsWith(`${name}:`)) ?? '';

  it('publishes the Temporal UI on loopback only (it has no login)', () => {
    const published = serviceBlock('temporal-ui').match(/^\s+- (.+:8080.*)$/gm) ?? [];
    expect(published.map((line) => line.trim())).toEqual([expect.stringMatching(/^- "?127\.0\.0\.1:8233:8080/)]);
  });

  it('gives the worker time to drain in-flight activities on stop (more than its shutdown grace time)', () => {
    expect(serviceBlock('worker')).toMatch(/stop_grace_period: (1m0s|1m|60s)/);
  });
});
