// Request context that follows a request (or an activity) through every await, so log lines and Sentry
// events carry request_id / user_id / business_id without threading them through every call.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  request_id?: string;
  user_id?: number;
  business_id?: number;
  account_id?: number;
  workflow_id?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run({ ...context }, fn);
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

/** Runs fn outside any request context (lines it logs carry only the fields they are given). */
export function withoutContext<T>(fn: () => T): T {
  return storage.exit(fn);
}

/** Adds fields to the current context (for example user_id once authentication has run). */
export function addToContext(fields: Partial<RequestContext>): void {
  const store = storage.getStore();
  if (store) Object.assign(store, fields);
}
