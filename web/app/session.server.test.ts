import { describe, expect, it } from 'vitest';
import { createUserSession, getSession, loginPath, requireApiToken, safeRedirect, secureCookie } from './session.server.js';

describe('safeRedirect', () => {
  it('keeps paths on this site', () => {
    expect(safeRedirect('/b/3/analytics?x=1')).toBe('/b/3/analytics?x=1');
    expect(safeRedirect('/b/3/connections#accounts')).toBe('/b/3/connections#accounts');
  });

  it('refuses other origins and the auth pages themselves', () => {
    // Browsers drop tabs and newlines inside URLs and read `\` as `/`: each of these means `//evil.example`.
    const sneaky = ['/\t/evil.example', '/\n/evil.example', '/\r\n/evil.example', '/\\/evil.example', '/./login'];
    for (const to of [
      'https://evil.example/',
      '//evil.example',
      '/\\evil.example',
      'b/1',
      '',
      null,
      undefined,
      '/login',
      '/logout',
      ...sneaky,
    ]) {
      expect(safeRedirect(to)).toBe('/');
    }
  });
});

describe('loginPath', () => {
  it('comes back to the page, without Remix data-request parameters', () => {
    expect(loginPath(new Request('http://web.test/b/2/connections?_routes=routes%2Fb.%24businessId&tab=1'))).toBe(
      '/login?redirectTo=%2Fb%2F2%2Fconnections%3Ftab%3D1',
    );
  });

  it('needs no redirectTo for the home page', () => {
    expect(loginPath(new Request('http://web.test/'))).toBe('/login');
  });
});

describe('the session cookie', () => {
  it('is http-only, same-site lax, signed and expires with the API token', async () => {
    const expiresAt = '2030-01-02T03:04:05.000Z';
    const setCookie = await createUserSession({ token: 'tok', expiresAt, businessId: 4 });

    expect(setCookie).toMatch(/^__social_sync=[^;]+\.[^;]+;/); // value.signature
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).toContain('Expires=Wed, 02 Jan 2030 03:04:05 GMT');
    expect(setCookie).not.toContain('tok;'); // the token is inside the signed payload, not a cookie of its own

    const request = new Request('http://web.test/', { headers: { Cookie: setCookie.split(';')[0]! } });
    expect(await requireApiToken(request)).toBe('tok');
    expect((await getSession(request)).get('businessId')).toBe(4);
  });

  it('is ignored when tampered with', async () => {
    const setCookie = await createUserSession({ token: 'tok', expiresAt: '2030-01-01T00:00:00Z' });
    const [value, signature] = setCookie.split(';')[0]!.split('=')[1]!.split('.');
    const forged = `__social_sync=${value}x.${signature}`;
    const thrown = await requireApiToken(new Request('http://web.test/b/1', { headers: { Cookie: forged } })).catch((e) => e);

    expect(thrown).toBeInstanceOf(Response);
    expect((thrown as Response).headers.get('Location')).toBe('/login?redirectTo=%2Fb%2F1');
  });
});

describe('secureCookie', () => {
  it('is secure over https and in production, but not for production served over http to this machine', () => {
    expect(secureCookie({ isProduction: true, PUBLIC_WEB_URL: 'https://app.example.com' })).toBe(true);
    expect(secureCookie({ isProduction: true, PUBLIC_WEB_URL: 'http://dashboard.internal:3000' })).toBe(true);
    expect(secureCookie({ isProduction: false, PUBLIC_WEB_URL: 'https://dev.example.com' })).toBe(true);
    expect(secureCookie({ isProduction: true, PUBLIC_WEB_URL: 'http://localhost:3000' })).toBe(false);
    expect(secureCookie({ isProduction: true, PUBLIC_WEB_URL: 'http://127.0.0.1:3000' })).toBe(false);
    expect(secureCookie({ isProduction: false, PUBLIC_WEB_URL: 'http://localhost:3000' })).toBe(false);
  });
});
