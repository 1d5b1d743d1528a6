// The consent page every provider's authorize URL renders: a real HTML form showing the app's
// client_id, the requested scopes and the sandbox identity that consents, with Allow and Deny buttons.
// The form posts back to the same URL (query included), so the POST re-validates the request exactly
// as the GET did. Scripts without a browser can POST `decision=allow|deny` (and `identity=<id>`) to the
// authorize URL directly. (The app parses form bodies before any router.)
import express, { type Request, type Response, type Router } from 'express';
import { escapeHtml, queryParams, redirectWith, type Params } from './http.js';
import { identityLabel } from './identities.js';
import type { Platform, SandboxState } from './store.js';

export interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state?: string;
}

type Validation<T extends AuthorizeRequest> =
  | { ok: true; request: T }
  /** Invalid client or redirect URI (or anything the provider shows on its own page): never redirect. */
  | { ok: false; page: { title: string; message: string } }
  /** Errors the provider reports back to a valid redirect URI. */
  | { ok: false; redirect: { uri: string; params: Record<string, string | undefined> } };

export interface ConsentSpec<T extends AuthorizeRequest> {
  platform: Platform;
  providerName: string;
  validate(query: Params): Validation<T>;
  /** Redirect parameters when the user clicks Deny. */
  denyParams(request: T): Record<string, string | undefined>;
  /** Issues the code; redirect parameters when the user clicks Allow. */
  allow(request: T, identityId: string): Record<string, string | undefined>;
  /** Meta appends `#_=_` to its redirects. */
  fragment?: string;
}

export function consentRoutes<T extends AuthorizeRequest>(state: SandboxState, paths: string[], spec: ConsentSpec<T>): Router {
  const router = express.Router();

  const handle = (req: Request, res: Response) => {
    const validation = spec.validate(queryParams(req));
    if (!validation.ok) {
      if ('page' in validation) return errorPage(res, spec.providerName, validation.page.title, validation.page.message);
      return redirectWith(res, validation.redirect.uri, validation.redirect.params, spec.fragment);
    }
    const request = validation.request;
    const identities = state.identities[spec.platform];
    if (req.method === 'GET') return consentPage(req, res, state, spec, request);

    const body = (req.body ?? {}) as Record<string, unknown>;
    const decision = typeof body.decision === 'string' ? body.decision : '';
    if (decision === 'deny') return redirectWith(res, request.redirectUri, spec.denyParams(request), spec.fragment);
    if (decision !== 'allow') return errorPage(res, spec.providerName, 'Bad request', 'Choose Allow or Deny.');
    const wanted = typeof body.identity === 'string' ? body.identity : identities[0]?.id;
    const identity = identities.find((i) => i.id === wanted);
    if (!identity) return errorPage(res, spec.providerName, 'Unknown identity', `No sandbox identity with id ${wanted ?? ''}.`);
    return redirectWith(res, request.redirectUri, spec.allow(request, identity.id), spec.fragment);
  };

  for (const path of paths) {
    router.get(path, handle);
    router.post(path, handle);
  }
  return router;
}

function consentPage<T extends AuthorizeRequest>(req: Request, res: Response, state: SandboxState, spec: ConsentSpec<T>, request: T) {
  const identities = state.identities[spec.platform];
  const options = identities
    .map((identity, i) => {
      const label = identityLabel(spec.platform, identity);
      return `<option value="${escapeHtml(identity.id)}"${i === 0 ? ' selected' : ''}>${escapeHtml(label)}</option>`;
    })
    .join('');
  const scopes = request.scopes.length
    ? request.scopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join('')
    : '<li>(no scopes requested)</li>';
  const body = `
  <p class="app">The app <strong id="client-id">${escapeHtml(
    request.clientId,
  )}</strong> wants to access your ${escapeHtml(spec.providerName)} account.</p>
  <form method="post" action="${escapeHtml(req.originalUrl)}">
    <label for="identity">Continue as</label>
    <select id="identity" name="identity">${options}</select>
    <h2>It will be able to</h2>
    <ul id="scopes">${scopes}</ul>
    <p class="redirect">You will be sent back to <code>${escapeHtml(request.redirectUri)}</code>.</p>
    <div class="buttons">
      <button type="submit" name="decision" value="deny">Deny</button>
      <button type="submit" name="decision" value="allow" class="primary">Allow</button>
    </div>
  </form>`;
  page(res, 200, `${spec.providerName} (sandbox): authorize ${request.clientId}`, spec.providerName, body);
}

function errorPage(res: Response, providerName: string, title: string, message: string, status = 400): void {
  page(
    res,
    status,
    `${providerName} (sandbox): ${title}`,
    providerName,
    `<h2 id="error">${escapeHtml(title)}</h2><p>${escapeHtml(message)}</p>`,
  );
}

function page(res: Response, status: number, title: string, providerName: string, body: string): void {
  res.status(status).type('html').set('Cache-Control', 'no-store').send(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 34rem; margin: 3rem auto; padding: 0 1rem; color: #1d2226; }
  header { border-bottom: 1px solid #ddd; margin-bottom: 1.5rem; }
  .badge { font-size: .8rem; background: #fde68a; padding: .1rem .4rem; border-radius: .3rem; }
  select { width: 100%; padding: .4rem; margin: .3rem 0 1rem; }
  .buttons { display: flex; gap: .75rem; justify-content: flex-end; margin-top: 1.5rem; }
  button { font-size: 1rem; padding: .5rem 1.4rem; border-radius: 1.2rem; border: 1px solid #666; background: #fff; cursor: pointer; }
  button.primary { background: #0a66c2; color: #fff; border-color: #0a66c2; }
</style>
</head>
<body>
<header><h1>${escapeHtml(providerName)} <span class="badge">sandbox</span></h1></header>
${body}
</body>
</html>`);
}
