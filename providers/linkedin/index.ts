// LinkedIn: OAuth 2.0 authorization code (no PKCE for web apps; id and secret in the form body) plus
// OpenID Connect userinfo. Access tokens last 60 days; only approved partners get refresh tokens, which
// do not rotate and end a year after first consent. We sync the first organization the member
// administers. Docs: learn.microsoft.com/linkedin.
import { z } from 'zod';
import type { Config } from '../../lib/config.js';
import { oauthApp } from '../apps.js';
import type { Provider } from '../contract.js';
import { apiCall } from '../http.js';
import { builtInPlatform } from '../metadata.js';
import { oauthClient } from '../oauth.js';
import { classifyLinkedinFailure } from './failures.js';
import { organizationPostsPage } from './posts.js';
import { LINKEDIN_PUBLISH_SCOPES, linkedinPublisher } from './publish.js';
import { withScopes } from '../publishing.js';

const userinfo = z.object({
  sub: z.string().min(1),
  name: z.string().optional(),
  email: z.string().optional(),
  picture: z.string().optional(),
});
const organizationAcls = z.object({ elements: z.array(z.object({ organization: z.string().min(1) })) });
const organizationLookup = z.object({ localizedName: z.string().optional(), vanityName: z.string().optional() });

export function linkedinProvider(config: Config): Provider | null {
  const app = oauthApp(
    config,
    {
      clientId: config.LINKEDIN_CLIENT_ID,
      clientSecret: config.LINKEDIN_CLIENT_SECRET,
      authUrl: config.LINKEDIN_AUTH_URL,
      apiUrl: config.LINKEDIN_API_URL,
      // Connect asks for what publishing needs, whatever the configured list leaves out.
      scopes: withScopes(config.LINKEDIN_SCOPES, LINKEDIN_PUBLISH_SCOPES, ' '),
    },
    { name: 'linkedin', authPath: 'linkedin', apiPath: 'linkedin' },
  );
  if (!app) return null;
  const rest = { apiUrl: app.apiUrl, headers: { 'LinkedIn-Version': config.LINKEDIN_API_VERSION, 'X-Restli-Protocol-Version': '2.0.0' } };
  const provider: Provider = {
    platform: 'linkedin',
    metadata: builtInPlatform('linkedin')!,
    classify: (failure) => classifyLinkedinFailure(provider, failure),
    get publisher() {
      return publisher;
    },
    authorizationUrl: (request) => oauth.authorizationUrl(request),
    exchangeCode: (code, verifier, redirectUri) => oauth.exchangeCode(code, verifier, redirectUri),
    refresh: (refreshToken) => oauth.refresh(refreshToken),

    async revoke(grant) {
      if (grant.refreshToken) await oauth.revoke(grant.refreshToken);
      if (grant.accessToken) await oauth.revoke(grant.accessToken);
    },

    /** The member (OpenID userinfo) and the first organization they administer, whose page we sync. */
    async discover(tokens) {
      const accessToken = tokens.accessToken;
      const member = await apiCall(provider, 'userinfo', `${app.apiUrl}/v2/userinfo`, userinfo, { accessToken });
      const acls = await apiCall(
        provider,
        'organizationAcls',
        `${app.apiUrl}/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED`,
        organizationAcls,
        {
          accessToken,
          headers: rest.headers,
        },
      );
      const organization = acls.elements[0]?.organization;
      // The account posts and syncs as the page, so it is shown by the page's name, not the member's email.
      const page = organization
        ? await apiCall(
            provider,
            'organization',
            `${app.apiUrl}/rest/organizations/${organization.split(':').at(-1)}`,
            organizationLookup,
            {
              accessToken,
              headers: rest.headers,
            },
          )
        : undefined;
      const profile = {
        externalId: member.sub,
        username: page?.vanityName ?? member.email ?? member.name ?? null,
        displayName: page?.localizedName ?? member.name ?? null,
        avatarUrl: page ? null : (member.picture ?? null),
        metadata: organization ? { organizationUrn: organization } : undefined,
      };
      return { kind: 'accounts', accounts: [{ platform: 'linkedin', profile, tokens }] };
    },

    postsPage: (accessToken, target, cursor, since) => organizationPostsPage(provider, rest, accessToken, target, cursor, since),
  };
  const publisher = linkedinPublisher(provider, rest);
  const oauth = oauthClient(provider, {
    app,
    endpoints: {
      issuer: `${app.authUrl}/oauth`,
      authorize: `${app.authUrl}/oauth/v2/authorization`,
      token: `${app.authUrl}/oauth/v2/accessToken`,
      revoke: `${app.authUrl}/oauth/v2/revoke`,
    },
    clientAuth: 'post',
    pkce: false,
    tokenTypeMissing: true,
  });
  return provider;
}
