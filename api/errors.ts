// The one error shape: { error: { code, message, request_id } } with the right status, never a stack.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { currentContext } from '../lib/context.js';
import { routePattern } from '../lib/metrics.js';
import { captureApiError } from '../lib/sentry.js';

export class HttpError extends Error {
  /** More about the error for the client to show (per-account problems of an invalid post); sent as `error.details`. */
  details?: unknown;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const notFound = (what = 'Resource') => new HttpError(404, 'not_found', `${what} not found.`);
export const badRequest = (message: string) => new HttpError(400, 'invalid_request', message);

function errorBody(code: string, message: string, details?: unknown) {
  return { error: { code, message, request_id: currentContext()?.request_id ?? null, ...(details === undefined ? {} : { details }) } };
}

/** A database id (Postgres `integer`): larger numbers are refused with 400 instead of overflowing in a query. */
export const idSchema = z.coerce.number().int().positive().max(2_147_483_647);

/** Validates input with zod; a failure becomes a 400 naming the fields. */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const detail = result.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');
  throw badRequest(`Invalid request: ${detail}`);
}

export const routeNotFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `No route for ${req.method} ${req.path}.`));
};

export const errorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  if (error instanceof HttpError) {
    res
      .set(error.headers)
      .status(error.status)
      .json(errorBody(error.code, error.message, error.details));
    return;
  }
  // body-parser errors carry a status (400 bad JSON, 413 too large).
  const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
  if (status < 500) {
    res
      .status(status)
      .json(errorBody(error.type === 'entity.parse.failed' ? 'invalid_json' : 'invalid_request', 'The request body could not be read.'));
    return;
  }
  req.log?.error({ err: error, event_type: 'unhandled_error' }, 'request failed');
  captureApiError(error, { method: req.method, route: routePattern(req) });
  res.status(500).json(errorBody('internal_error', 'Something went wrong on our side.'));
};

/** What Node answers itself, before Express runs, for a request its parser refuses. */
const PARSER_REFUSALS: Record<string, [status: number, reason: string, code: string, message: string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'headers_too_large', 'The request headers are larger than 16 KB.'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'request_timeout', 'The request took too long to arrive.'],
};

/**
 * Requests Node's HTTP parser refuses (headers over its 16 KB limit, a malformed request line) are
 * answered in the same JSON error shape instead of Node's bare status line.
 */
export function answerParserErrorsInJson(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, reason, code, message] = PARSER_REFUSALS[error.code ?? ''] ?? [
      400,
      'Bad Request',
      'invalid_request',
      'The request could not be read.',
    ];
    const body = JSON.stringify({ error: { code, message, request_id: randomUUID() } });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
