// Starts the sandbox on a host and port (port 0 picks a free one) and stops it cleanly. Used by
// main.ts, the sandbox tests, and any harness that wants an in-process sandbox.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createSandboxApp, type SandboxOptions } from './app.js';
import type { SandboxState } from './store.js';

export interface RunningSandbox {
  /** The URL it listens on (http://host:port). */
  url: string;
  server: Server;
  state: SandboxState;
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions & { host?: string; port?: number } = {}): Promise<RunningSandbox> {
  const { host = '127.0.0.1', port = 0, ...appOptions } = options;
  const { app, state, persistence } = createSandboxApp(appOptions);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  // Without an explicit public URL, links the sandbox writes (paging, issuer) point where it listens.
  if (!appOptions.publicUrl) state.publicUrl = url;
  return {
    url,
    server,
    state,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => {
          persistence?.flush();
          return error ? reject(error) : resolve();
        });
        server.closeAllConnections();
      }),
  };
}
