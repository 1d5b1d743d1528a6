// Shared mechanics of provider API calls: a bearer request with a timeout, reading answers, and checking
// their shape with zod at the boundary so a changed provider answer is a clear `rejected` error naming
// the provider and the field, never `undefined` deep inside a sync.
import type { z } from 'zod';
import { ProviderError, type Provider, type ProviderStep } from './contract.js';

export const TIMEOUT_MS = 15_000;

/** The provider's name for messages: "X", "LinkedIn", "Facebook Pages". */
const nameOf = (provider: Pick<Provider, 'platform' | 'metadata'>) => provider.metadata.displayName;

/** A network failure or timeout, classified: the provider did not answer. */
export function unreachable(provider: Pick<Provider, 'platform' | 'metadata'>, error: unknown, what = 'API'): ProviderError {
  const name = (error as Error)?.name ?? 'Error';
  return new ProviderError(provider.platform, 'transient', `${nameOf(provider)} ${what} did not answer (${name})`);
}

export function isNetworkFailure(error: unknown): boolean {
  const name = (error as Error)?.name;
  // fetch reports an unreachable host as TypeError('fetch failed').
  return name === 'TimeoutError' || name === 'AbortError' || (error instanceof TypeError && error.message === 'fetch failed');
}

/** Reads a body as JSON, or as text when it is not JSON (error pages), without throwing. */
export async function readBody(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '');
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return text.slice(0, 200);
  }
}

/** Checks an answer's shape; a mismatch is `rejected`, naming the provider, what was read and the field. */
export function parseAnswer<S extends z.ZodType>(
  provider: Pick<Provider, 'platform' | 'metadata'>,
  what: string,
  schema: S,
  body: unknown,
): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.length > 0 ? issue.path.join('.') : '(body)';
  return unexpected(provider, what, `${field}: ${issue.message}`);
}

function unexpected(provider: Pick<Provider, 'platform' | 'metadata'>, what: string, detail: string): never {
  throw new ProviderError(provider.platform, 'rejected', `${nameOf(provider)} answered ${what} in an unexpected shape (${detail})`);
}

/**
 * A GET (or other) call with a bearer token: network failures are `transient`, a failed status is
 * classified by the provider, a success is checked against `schema`.
 */
export async function apiCall<S extends z.ZodType>(
  provider: Provider,
  what: string,
  url: URL | string,
  schema: S,
  init: RequestInit & { accessToken: string; step?: ProviderStep },
): Promise<z.output<S>> {
  return parseAnswer(provider, what, schema, (await apiResponse(provider, url, init)).body);
}

/** The same call, answering the body unchecked with the headers (LinkedIn names a created post in `x-restli-id`). */
export async function apiResponse(
  provider: Provider,
  url: URL | string,
  init: RequestInit & { accessToken: string; step?: ProviderStep },
): Promise<{ body: unknown; headers: Headers }> {
  const { accessToken, headers, step = 'api', ...rest } = init;
  let response: Response;
  try {
    response = await fetch(url, {
      ...rest,
      headers: { accept: 'application/json', ...headers, authorization: `Bearer ${accessToken}` },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw unreachable(provider, error);
  }
  const body = await readBody(response);
  if (!response.ok) throw provider.classify({ step, status: response.status, headers: response.headers, body });
  return { body, headers: response.headers };
}

/** The reading of a failed status where the body says nothing more precise. */
export function kindForStatus(status: number): 'rate_limited' | 'transient' | 'rejected' {
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'transient';
  return 'rejected';
}

export function secondsFromNow(seconds: unknown, now = Date.now()): Date | null {
  return typeof seconds === 'number' && seconds > 0 ? new Date(now + seconds * 1000) : null;
}
