// Helpers for the sandbox's own tests: a sandbox on a free port, the consent round trip a browser
// would make, and form/Basic encodings. Others' tests may use them too.
import { Writable } from 'node:stream';
import { createLogger } from '../lib/logger.js';
import { startSandbox, type RunningSandbox } from './server.js';
import type { SandboxOptions } from './app.js';

/** A logger that keeps every line it writes, so tests can assert what was (not) logged. */
export function capturingLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger('sandbox', { level: 'info', destination }), lines };
}

export function silentSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  return startSandbox({ logger: createLogger('sandbox', { level: 'silent' }), ...options });
}

export const form = (data: Record<string, string>) => new URLSearchParams(data);

export const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

export interface ConsentResult {
  html: string;
  status: number;
  location?: URL;
}

/** GETs the consent page, then submits its form as a click on Allow or Deny would. */
export async function consent(
  authorizeUrl: string,
  decision: 'allow' | 'deny' = 'allow',
  identity?: string,
): Promise<ConsentResult> {
  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  const html = await page.text();
  if (page.status !== 200) return { html, status: page.status, ...locationOf(page, authorizeUrl) };
  const action = html.match(/<form method="post" action="([^"]+)"/)?.[1]?.replace(/&amp;/g, '&');
  if (!action) throw new Error('consent page has no form');
  const body = form({ decision, ...(identity ? { identity } : {}) });
  const posted = await fetch(new URL(action, authorizeUrl), { method: 'POST', body, redirect: 'manual' });
  return { html, status: posted.status, ...locationOf(posted, authorizeUrl) };
}

function locationOf(response: Response, base: string): { location?: URL } {
  const location = response.headers.get('location');
  return location ? { location: new URL(location, base) } : {};
}
