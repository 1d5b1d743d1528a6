// Runs `npm start`'s entry point as a child process on free ports and a data dir of the test's own,
// so the tests exercise exactly what a newcomer runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../scripts/stack.js';

export interface RunningStack {
  apiUrl: string;
  webUrl: string;
  temporalUiUrl: string;
  sandboxUrl: string;
  env: Record<string, string>;
  output: () => string;
  stop(): Promise<number | null>;
}

export async function stackEnv(dataDir: string): Promise<Record<string, string>> {
  const [api, web, sandbox, temporal, ui, postgres, workerMetrics] = await Promise.all(Array.from({ length: 7 }, () => freePort()));
  return {
    DATA_DIR: dataDir,
    API_PORT: String(api),
    WEB_PORT: String(web),
    SANDBOX_PORT: String(sandbox),
    POSTGRES_PORT: String(postgres),
    TEMPORAL_ADDRESS: `127.0.0.1:${temporal}`,
    TEMPORAL_UI_PORT: String(ui),
    WORKER_METRICS_PORT: String(workerMetrics),
    API_URL: `http://127.0.0.1:${api}`,
    PUBLIC_API_URL: `http://localhost:${api}`,
    PUBLIC_WEB_URL: `http://localhost:${web}`,
    SANDBOX_URL: `http://localhost:${sandbox}`,
  };
}

/** Starts the stack with the given env and resolves once it prints that it is running. */
export async function startStack(env: Record<string, string>, timeoutMs = 240_000): Promise<RunningStack> {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    env: { ...inherited, NODE_ENV: 'development', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += String(d)));
  child.stderr!.on('data', (d) => (output += String(d)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stack did not start in time:\n${output}`)), timeoutMs);
    const check = () => {
      if (output.includes('Social Sync is running.')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`stack exited with ${code}:\n${output}`));
    });
  });
  return {
    apiUrl: env.API_URL!,
    webUrl: `http://localhost:${env.WEB_PORT}`,
    temporalUiUrl: `http://localhost:${env.TEMPORAL_UI_PORT}`,
    sandboxUrl: env.SANDBOX_URL!,
    env,
    output: () => output,
    async stop() {
      child.removeAllListeners('exit');
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
