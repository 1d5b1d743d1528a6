// Remix's default Node entry, plus the response headers every dashboard page needs: no framing
// (clickjacking), no MIME sniffing, no referrer leaking paths to other sites, and no caching of pages
// that show a signed-in user's data.
import { PassThrough } from 'node:stream';
import { createReadableStreamFromReadable, type EntryContext, type HandleErrorFunction } from '@remix-run/node';
import { RemixServer } from '@remix-run/react';
import { isbot } from 'isbot';
import { renderToPipeableStream } from 'react-dom/server';
import { logger } from './logger.server.js';

const ABORT_DELAY = 5_000;

const SECURITY_HEADERS: Record<string, string> = {
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "frame-ancestors 'none'; base-uri 'self'; object-src 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'private, no-store',
};

export default function handleRequest(request: Request, responseStatusCode: number, responseHeaders: Headers, remixContext: EntryContext) {
  // Crawlers get the whole document at once; browsers get the shell as soon as it is ready.
  const waitForAll = isbot(request.headers.get('user-agent') ?? '') || remixContext.isSpaMode;
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderToPipeableStream(<RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} />, {
      [waitForAll ? 'onAllReady' : 'onShellReady']() {
        shellRendered = true;
        const body = new PassThrough();
        responseHeaders.set('Content-Type', 'text/html; charset=utf-8');
        for (const [name, value] of Object.entries(SECURITY_HEADERS)) responseHeaders.set(name, value);
        resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }));
        pipe(body);
      },
      onShellError(error: unknown) {
        reject(error);
      },
      onError(error: unknown) {
        responseStatusCode = 500;
        // Errors before the shell is ready are logged by handleError below.
        if (shellRendered) logger.error({ event_type: 'render_error', err: error }, 'rendering failed');
      },
    });
    setTimeout(abort, ABORT_DELAY);
  });
}

export const handleError: HandleErrorFunction = (error, { request }) => {
  if (request.signal.aborted) return; // the browser went away; nothing went wrong here
  logger.error({ event_type: 'unhandled_error', err: error, path: new URL(request.url).pathname }, 'request failed');
};

/** Page data (`*.data` requests) is as private as the page. */
export function handleDataRequest(response: Response): Response {
  response.headers.set('Cache-Control', 'private, no-store');
  return response;
}
