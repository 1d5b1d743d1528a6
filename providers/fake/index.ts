// A fifth provider that lives in memory, for tests only: it implements the whole contract (PKCE,
// rotating refresh tokens, paging, revoke, classified failures) with no HTTP, so a test can register
// it (registerProvider) and drive connect, refresh and sync through the real API, worker and workflow.
// It is never registered outside tests.
import { createHash, randomBytes } from 'node:crypto';
import { ProviderError, type PostPage, type Provider, type TokenSet } from '../contract.js';
import type { PlatformMetadata } from '../metadata.js';
import { cutAtSince } from '../since.js';

export const FAKE_METADATA: PlatformMetadata = {
  id: 'fakebook',
  displayName: 'Fakebook',
  monogram: 'Fb',
  color: '#15803d',
  oauthApp: 'fakebook',
  aliases: [],
  capabilities: { pkce: true, refresh: 'rotating', expiry: 'access_token', accountSelection: false, publishing: false },
  limits: { textLength: 500 },
};

export interface FakeProviderOptions {
  accessTokenSeconds: number;
  posts: number;
  pageSize: number;
}

export function createFakeProvider(options: FakeProviderOptions) {
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const accessTokens = new Map<string, number>(); // token -> expires at (ms)
  const refreshTokens = new Set<string>();
  const counts = { exchanges: 0, refreshes: 0, pages: 0, revocations: 0 };
  /** Failures the next refreshes answer with, in order (a test's stand-in for provider faults). */
  const refreshFaults: ProviderError[] = [];
  const random = () => randomBytes(16).toString('hex');
  const dead = (message: string) => new ProviderError(FAKE_METADATA.id, 'grant_dead', `Fakebook: ${message}`);

  function issue(): TokenSet {
    const accessToken = `fake-at-${random()}`;
    const refreshToken = `fake-rt-${random()}`;
    const expiresAt = new Date(Date.now() + options.accessTokenSeconds * 1000);
    accessTokens.set(accessToken, expiresAt.getTime());
    refreshTokens.add(refreshToken);
    return { accessToken, refreshToken, expiresAt, refreshTokenExpiresAt: null, scopes: 'read' };
  }

  function checkAccess(token: string): void {
    const expires = accessTokens.get(token);
    if (expires === undefined || expires <= Date.now()) throw dead('the access token was refused');
  }

  const provider: Provider = {
    platform: FAKE_METADATA.id,
    metadata: FAKE_METADATA,

    authorizationUrl(request) {
      const url = new URL('https://fakebook.invalid/authorize');
      url.search = new URLSearchParams({
        state: request.state,
        redirect_uri: request.redirectUri,
        code_challenge: request.codeChallenge ?? '',
      }).toString();
      return url;
    },

    async exchangeCode(code, codeVerifier, redirectUri) {
      const issued = codes.get(code);
      codes.delete(code);
      const challenge = createHash('sha256')
        .update(codeVerifier ?? '')
        .digest('base64url');
      if (!issued || issued.redirectUri !== redirectUri || issued.challenge !== challenge) {
        throw new ProviderError(FAKE_METADATA.id, 'rejected', 'Fakebook: the code, redirect_uri or PKCE verifier does not match.');
      }
      counts.exchanges++;
      return issue();
    },

    async refresh(refreshToken) {
      const fault = refreshFaults.shift();
      if (fault) throw fault;
      // Rotation: the old refresh token dies with its use.
      if (!refreshTokens.delete(refreshToken)) throw dead('invalid_grant');
      counts.refreshes++;
      return issue();
    },

    async revoke(grant) {
      if (grant.refreshToken) refreshTokens.delete(grant.refreshToken);
      if (grant.accessToken) accessTokens.delete(grant.accessToken);
      counts.revocations++;
    },

    async discover(tokens) {
      checkAccess(tokens.accessToken);
      const profile = { externalId: 'fake-user-1', username: 'fake_user', displayName: 'Fake User', avatarUrl: null };
      return { kind: 'accounts', accounts: [{ platform: FAKE_METADATA.id, profile, tokens }] };
    },

    async postsPage(accessToken, target, cursor, since): Promise<PostPage> {
      checkAccess(accessToken);
      counts.pages++;
      const start = Number(cursor ?? 0);
      const end = Math.min(options.posts, start + options.pageSize);
      const posts = [];
      for (let i = start; i < end; i++) {
        posts.push({
          externalId: `${target.externalId}-post-${i}`,
          postedAt: new Date(Date.UTC(2026, 0, options.posts - i)), // newest first, one a day
          text: `post ${i}`,
          impressions: 100 + i,
          likes: 3,
          comments: 1,
          shares: 1,
          clicks: 0,
          engagements: 5,
        });
      }
      const cut = cutAtSince(posts, (post) => post.postedAt, since);
      return { posts: cut.posts, nextCursor: end < options.posts && !cut.passed ? String(end) : null, total: options.posts };
    },

    classify(failure) {
      return new ProviderError(
        FAKE_METADATA.id,
        failure.status >= 500 ? 'transient' : 'rejected',
        `Fakebook answered ${failure.status}`,
        failure.status,
      );
    },
  };

  return {
    provider,
    counts,
    /** The next refreshes fail this way, once each. */
    failRefreshes(kind: ProviderError['kind'], times: number): void {
      for (let i = 0; i < times; i++)
        refreshFaults.push(new ProviderError(FAKE_METADATA.id, kind, `Fakebook token endpoint: injected ${kind}`));
    },
    /** The user allows access on the consent page: returns the callback URL the provider redirects to. */
    consent(authorizationUrl: string): URL {
      const params = new URL(authorizationUrl).searchParams;
      const code = `fake-code-${random()}`;
      codes.set(code, { challenge: params.get('code_challenge') ?? '', redirectUri: params.get('redirect_uri') ?? '' });
      const callback = new URL(params.get('redirect_uri')!);
      callback.search = new URLSearchParams({ code, state: params.get('state') ?? '' }).toString();
      return callback;
    },
  };
}
