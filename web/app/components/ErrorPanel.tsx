import { isRouteErrorResponse } from '@remix-run/react';
import type { ReactNode } from 'react';

export interface ErrorDescription {
  status: number;
  title: string;
  message: string;
  requestId: string | null;
}

const TITLES: Record<number, string> = {
  400: 'That request was not accepted',
  403: 'Not allowed',
  404: 'Page not found',
  429: 'Too many requests',
  502: 'Social Sync is unavailable',
  503: 'Social Sync is unavailable',
  504: 'Social Sync is unavailable',
};

/**
 * What to tell a person about an error a route threw. Route errors carry the API's `{ code, message,
 * requestId }` (see throwRouteError); anything else is a bug, and its details stay in the server log.
 */
export function describeError(error: unknown): ErrorDescription {
  if (isRouteErrorResponse(error)) {
    const body = typeof error.data === 'object' && error.data !== null ? (error.data as Record<string, unknown>) : {};
    const code = typeof body.code === 'string' ? body.code : undefined;
    const apiMessage = typeof body.message === 'string' ? body.message : undefined;
    return {
      status: error.status,
      title: code === 'business_not_found' ? 'Business not found' : (TITLES[error.status] ?? 'Something went wrong'),
      message:
        apiMessage ?? (error.status === 404 ? 'There is no page at this address.' : 'The page could not be shown. Try again in a moment.'),
      requestId: typeof body.requestId === 'string' ? body.requestId : null,
    };
  }
  return {
    status: 500,
    title: 'Something went wrong',
    message: 'The page could not be shown because of a problem on our side. Try again in a moment.',
    requestId: null,
  };
}

export function ErrorPanel({ error, headingLevel = 2, children }: { error: ErrorDescription; headingLevel?: 1 | 2; children?: ReactNode }) {
  const Heading = headingLevel === 1 ? 'h1' : 'h2';
  return (
    <section className="panel error-panel" aria-labelledby="error-title">
      <p className="error-panel__status">Error {error.status}</p>
      <Heading id="error-title">{error.title}</Heading>
      <p>{error.message}</p>
      {error.requestId && (
        <p className="muted">
          Reference: <code>{error.requestId}</code>
        </p>
      )}
      {children}
    </section>
  );
}
