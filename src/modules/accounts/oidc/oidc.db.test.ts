// Single sign-on end to end: a digital service (openid-client, as a real relying party would use
// it) signs a member in through Eenbieb's OpenID Connect provider on a real socket: discovery,
// authorization code + PKCE, our login and consent pages (driven with plain fetch, no browser),
// token and userinfo, and only the claims the service registered and the member agreed to.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import * as oidc from 'openid-client';
import { build } from '../../../app.ts';
import { testApp, type TestApp } from '../../../../test/support/app.ts';
import { buildAccount, signIn } from '../../../../test/support/auth.ts';

let t: TestApp;
let base: string;
const PASSWORD = 'een lange zin als wachtwoord';
let member: { email: string };

before(async () => {
  t = await testApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  // the provider is built on its first request, with this issuer
  t.config.publicUrl = base;
  member = { email: `sso${process.pid}@example.org` };
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/accounts', payload: {
    postcode: '3511 AB', plan: 'volwassen', email: member.email, password: PASSWORD, givenName: 'Sanne', familyName: 'de Boer',
    birthDate: '1985-04-12', street: 'Oudegracht', houseNumber: '12', city: 'Utrecht', pin: '4821',
  } });
  assert.equal(res.statusCode, 202, res.body);
});
after(async () => { await t.close(); });

/** A browser's cookie jar, enough for one host (paths are ignored: names are unique here). */
class Jar {
  private cookies = new Map<string, string>();
  store(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      if (!value || /expires=Thu, 01 Jan 1970/i.test(line) || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

async function go(jar: Jar, url: string, form?: Record<string, string>): Promise<Response> {
  const res = await fetch(new URL(url, base), {
    method: form ? 'POST' : 'GET',
    redirect: 'manual',
    headers: { cookie: jar.header(), accept: 'text/html', ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(form ? { body: new URLSearchParams(form).toString() } : {}),
  });
  jar.store(res);
  return res;
}

function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  assert.ok(m, 'form has a CSRF token');
  return m[1]!;
}

function scopesOnPage(html: string): string[] {
  return [...html.matchAll(/data-scope="([a-z_]+)"/g)].map((m) => m[1]!);
}

async function registerClient(body: Record<string, unknown>): Promise<{ clientId: string; clientSecret?: string }> {
  const staff = await buildAccount(t);
  await sql`insert into network_role (account_id, role) values (${staff.id}, 'network_staff')`.execute(t.db.kysely);
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/oidc/clients', cookies: await signIn(t, staff.id, { mfa: true }), payload: body });
  assert.equal(res.statusCode, 201, res.body);
  return res.json();
}

async function discover(clientId: string, secret?: string) {
  return oidc.discovery(new URL(`${base}/oidc`), clientId, undefined, secret ? oidc.ClientSecretBasic(secret) : oidc.None(), { execute: [oidc.allowInsecureRequests] });
}

interface Pages { login?: string; consent?: string }

/**
 * Follows the browser's way from the authorization URL to the redirect back to the service,
 * signing in and agreeing on the way. Returns the URL the browser lands on.
 */
async function authorize(jar: Jar, start: URL, pages: Pages = {}): Promise<URL> {
  let res = await go(jar, start.href);
  for (let hops = 0; hops < 12; hops++) {
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location')!, base);
      if (next.pathname === '/cb') return next;
      res = await go(jar, next.href);
      continue;
    }
    assert.equal(res.status, 200, `unexpected ${res.status} at ${res.url}`);
    const html = await res.text();
    const action = /<form class="eb-form" method="post" action="([^"]+)"/.exec(html)?.[1];
    assert.ok(action, html.slice(0, 300));
    assert.match(res.headers.get('content-security-policy') ?? '', /form-action 'self' http:\/\/127\.0\.0\.1:\d+/);
    if (action.endsWith('/login')) {
      pages.login = html;
      res = await go(jar, action, { _csrf: csrfOf(html), email: member.email, password: PASSWORD });
    } else {
      pages.consent = html;
      res = await go(jar, action, { _csrf: csrfOf(html), decision: 'allow' });
    }
  }
  throw new Error('too many redirects');
}

async function startUrl(config: oidc.Configuration, scope: string, extra: Record<string, string> = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: `${base}/cb`, scope, state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra,
  });
  return { url, verifier, state };
}

describe('single sign-on for a public client with PKCE', () => {
  let clientId: string;
  const jar = new Jar();

  before(async () => {
    ({ clientId } = await registerClient({ name: 'E-lezer', redirectUris: [`${base}/cb`], scopes: ['library', 'membership_active', 'age_group', 'email'], public: true }));
  });

  test('the discovery document and the public signing key are served', async () => {
    const doc = await (await fetch(`${base}/oidc/.well-known/openid-configuration`)).json() as Record<string, unknown>;
    assert.equal(doc.issuer, `${base}/oidc`);
    assert.deepEqual(doc.code_challenge_methods_supported, ['S256']);
    for (const s of ['openid', 'library', 'membership_active', 'age_group', 'email', 'profile']) assert.ok((doc.scopes_supported as string[]).includes(s), s);
    assert.equal(doc.authorization_endpoint, `${base}/oidc/auth`);
    const jwks = await (await fetch(String(doc.jwks_uri))).json() as { keys: Record<string, unknown>[] };
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0]!.kty, 'RSA');
    assert.equal(jwks.keys[0]!.d, undefined, 'no private key material');
  });

  test('a member signs in on the branded pages and the service gets library, membership and age group, not name or e-mail', async () => {
    const config = await discover(clientId);
    const { url, verifier, state } = await startUrl(config, 'openid library membership_active age_group');
    const pages: Pages = {};
    const back = await authorize(jar, url, pages);
    assert.ok(pages.login, 'the login page was shown');
    assert.match(pages.login, /Inloggen bij E-lezer/);
    assert.ok(pages.consent, 'the consent page was shown');
    // consent in the brand of the member's home library, listing exactly the asked scopes
    assert.match(pages.consent, /Bibliotheek Utrecht/);
    assert.deepEqual(scopesOnPage(pages.consent).sort(), ['age_group', 'library', 'membership_active', 'openid']);
    assert.ok(back.searchParams.get('code'));

    const tokens = await oidc.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier, expectedState: state });
    const sub = tokens.claims()!.sub;
    const account = await t.db.kysely.selectFrom('account').select('id').where('email', '=', member.email).executeTakeFirstOrThrow();
    assert.equal(sub, account.id);
    const info = await oidc.fetchUserInfo(config, tokens.access_token, sub);
    assert.deepEqual(info.library, { slug: 'utrecht', name: 'Bibliotheek Utrecht' });
    assert.equal(info.membership_active, true);
    assert.equal(info.age_group, 'adult');
    assert.equal(info.email, undefined);
    assert.equal(info.name, undefined);
  });

  test('asking for the e-mail address later shows consent for just that, then returns it', async () => {
    const config = await discover(clientId);
    const { url, verifier, state } = await startUrl(config, 'openid library email');
    const pages: Pages = {};
    const back = await authorize(jar, url, pages);
    assert.equal(pages.login, undefined, 'already signed in: no password asked');
    assert.ok(pages.consent);
    assert.deepEqual(scopesOnPage(pages.consent), ['email']);
    const tokens = await oidc.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier, expectedState: state });
    const info = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
    assert.equal(info.email, member.email);
    assert.equal(info.name, undefined, 'profile was not asked');
  });

  test('a scope the service did not register is refused', async () => {
    const config = await discover(clientId);
    const { url } = await startUrl(config, 'openid profile');
    const res = await go(new Jar(), url.href);
    assert.equal(res.status, 303);
    const back = new URL(res.headers.get('location')!);
    assert.equal(back.pathname, '/cb');
    assert.equal(back.searchParams.get('error'), 'invalid_scope');
  });

  test('a redirect URI that was not registered is refused without redirecting', async () => {
    const config = await discover(clientId);
    const { url } = await startUrl(config, 'openid library', { redirect_uri: 'https://elders.example/cb' });
    const res = await go(new Jar(), url.href);
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('location'), null);
    const html = await res.text();
    assert.match(html, /invalid_redirect_uri/);
    assert.doesNotMatch(html, /<script|<style/);
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  });

  test('PKCE is required', async () => {
    const config = await discover(clientId);
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: `${base}/cb`, scope: 'openid library', state: 'x' });
    const res = await go(new Jar(), url.href);
    const back = new URL(res.headers.get('location')!);
    assert.equal(back.searchParams.get('error'), 'invalid_request');
  });

  test('refusing consent sends the member back with access_denied', async () => {
    const { clientId: other } = await registerClient({ name: 'Cursusplatform', redirectUris: [`${base}/cb`], public: true });
    const config = await discover(other);
    const { url } = await startUrl(config, 'openid library');
    let res = await go(jar, url.href);
    while (res.status === 303 && !res.headers.get('location')!.includes('/oidc-interaction/')) res = await go(jar, res.headers.get('location')!);
    res = await go(jar, res.headers.get('location')!);
    const html = await res.text();
    assert.match(html, /Cursusplatform/);
    res = await go(jar, /action="([^"]+\/consent)"/.exec(html)![1]!, { _csrf: csrfOf(html), decision: 'deny' });
    while (res.status === 303 && !res.headers.get('location')!.includes('/cb')) res = await go(jar, res.headers.get('location')!);
    assert.equal(new URL(res.headers.get('location')!).searchParams.get('error'), 'access_denied');
  });

  test('signing out of the library also ends single sign-on: the next service asks for the password again', async () => {
    const out = await fetch(`${base}/api/v1/session`, { method: 'DELETE', headers: { cookie: jar.header() } });
    assert.equal(out.status, 204);
    jar.store(out);
    const config = await discover(clientId);
    const { url, verifier, state } = await startUrl(config, 'openid library');
    const pages: Pages = {};
    const back = await authorize(jar, url, pages);
    assert.ok(pages.login, 'signed in again with a password');
    assert.equal(pages.consent, undefined, 'consent given earlier is remembered');
    const tokens = await oidc.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier, expectedState: state });
    assert.ok(tokens.access_token);
  });

  test('signing out at the service (RP-initiated logout) ends the library session as well', async () => {
    const sessionRow = async () => (await t.db.kysely.selectFrom('session as s').innerJoin('account as a', 'a.id', 's.accountId')
      .select('s.idHash').where('a.email', '=', member.email).execute()).length;
    assert.ok(await sessionRow() >= 1, 'signed in from the previous test');
    let res = await go(jar, `${base}/oidc/session/end?client_id=${clientId}`);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.doesNotMatch(html, /<script|<style/);
    const action = /<form[^>]*action="([^"]+)"/.exec(html)![1]!;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)![1]!;
    res = await go(jar, action, { xsrf, logout: 'yes' });
    assert.equal(res.status, 303);
    assert.match(jar.header(), /^(?!.*eb_session=)/, 'library session cookie cleared');
    for (let i = 0; i < 20 && await sessionRow(); i++) await new Promise((r) => setTimeout(r, 25));
    assert.equal(await sessionRow(), 0, 'library session ended');
  });

  test('without a library session, prompt=none answers login_required', async () => {
    const config = await discover(clientId);
    const { url } = await startUrl(config, 'openid library', { prompt: 'none' });
    const res = await go(new Jar(), url.href);
    assert.equal(new URL(res.headers.get('location')!).searchParams.get('error'), 'login_required');
  });
});

test('a confidential client authenticates with its secret (only its hash is stored)', async () => {
  const { clientId, clientSecret } = await registerClient({ name: 'Bibliotheek-prototype', redirectUris: [`${base}/cb`], scopes: ['library'] });
  assert.ok(clientSecret);
  const row = await t.db.kysely.selectFrom('oidcClient').select('secretHash').where('clientId', '=', clientId).executeTakeFirstOrThrow();
  assert.notEqual(row.secretHash, clientSecret);
  const config = await discover(clientId, clientSecret);
  // a library's own service names its library: the login page carries that brand
  const { url, verifier, state } = await startUrl(config, 'openid library', { library: 'amsterdam' });
  const pages: Pages = {};
  const back = await authorize(new Jar(), url, pages);
  assert.match(pages.login!, /<link rel="stylesheet" href="\/amsterdam\/theme.css"/);
  const tokens = await oidc.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier, expectedState: state });
  const info = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
  assert.deepEqual(info.library, { slug: 'utrecht', name: 'Bibliotheek Utrecht' });
  assert.equal(info.membership_active, undefined, 'not registered, not given');

  const wrong = await discover(clientId, 'not-the-secret');
  const again = await startUrl(wrong, 'openid library');
  const back2 = await authorize(new Jar(), again.url);
  await assert.rejects(oidc.authorizationCodeGrant(wrong, back2, { pkceCodeVerifier: again.verifier, expectedState: again.state }),
    (e: { status?: number; cause?: unknown }) => e.status === 401 && JSON.stringify(e.cause).includes('invalid_client'));
});

test('only network staff with a second factor register services; redirect URIs must be https or loopback', async () => {
  const body = { name: 'X', redirectUris: ['https://dienst.example/cb'] };
  assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/oidc/clients', payload: body })).statusCode, 401);
  const plain = await buildAccount(t);
  assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/oidc/clients', payload: body, cookies: await signIn(t, plain.id, { mfa: true }) })).statusCode, 403);
  const staff = await buildAccount(t);
  await sql`insert into network_role (account_id, role) values (${staff.id}, 'network_staff')`.execute(t.db.kysely);
  const noMfa = await t.app.inject({ method: 'POST', url: '/api/v1/oidc/clients', payload: body, cookies: await signIn(t, staff.id) });
  assert.equal(noMfa.statusCode, 403);
  assert.equal(noMfa.json().code, 'ACCOUNTS_SECOND_FACTOR_REQUIRED');
  const bad = await t.app.inject({ method: 'POST', url: '/api/v1/oidc/clients', payload: { name: 'X', redirectUris: ['http://dienst.example/cb'] }, cookies: await signIn(t, staff.id, { mfa: true }) });
  assert.equal(bad.statusCode, 422);
  assert.equal(bad.json().code, 'ACCOUNTS_OIDC_CLIENT_INVALID');
  const unknownScope = await t.app.inject({ method: 'POST', url: '/api/v1/oidc/clients', payload: { ...body, scopes: ['bsn'] }, cookies: await signIn(t, staff.id, { mfa: true }) });
  assert.equal(unknownScope.statusCode, 400);
});

test('the signing key is generated once and survives a rebuild of the app on the same database', async () => {
  const before = await (await fetch(`${base}/oidc/jwks`)).json() as { keys: { kid: string }[] };
  const again = await build(t.config, t.db);
  try {
    await again.ready();
    const res = await again.inject({ method: 'GET', url: '/oidc/jwks' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().keys.map((k: { kid: string }) => k.kid), before.keys.map((k) => k.kid));
  } finally {
    await again.close();
  }
  const rows = await t.db.kysely.selectFrom('oidcKey').select('use').execute();
  assert.deepEqual(rows.map((r) => r.use).sort(), ['cookie', 'signing']);
});
