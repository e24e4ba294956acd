// Single sign-on in a real browser: a digital service sends a member to the provider, the member
// signs in and agrees in their library's brand, and the browser is redirected back with a code.
// Checks what HTTP tests cannot: the CSP (form-action) lets the redirect chain through, and the
// login and consent pages have no axe-core (WCAG 2.1 A/AA) violations.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { TestApp } from '../support/app.ts';
import { axeViolations, formatViolations } from '../support/axe.ts';
import { startBrowserApp, type BrowserApp } from '../support/browser-app.ts';
import { registerClient } from '../../src/modules/accounts/oidc/index.ts';
import { systemCtx } from '../../src/platform/context.ts';

let t: TestApp;
let origin: string;
let browser: Browser;

let env: BrowserApp;
before(async () => {
  env = await startBrowserApp();
  ({ t, origin, browser } = env);
});
after(async () => { await env?.close(); });

test('a member signs in to a digital service through the library: login and consent pages pass axe, and the browser returns with a code', async () => {
  const email = `sso${process.pid}@example.org`;
  const password = 'een lang wachtwoord voor sso';
  const signup = await t.app.inject({ method: 'POST', url: '/api/v1/accounts', payload: {
    postcode: '3512 JK', plan: 'volwassen', email, password, givenName: 'Sam', familyName: 'Sso',
    birthDate: '1988-08-08', street: 'Neude', houseNumber: '3', city: 'Utrecht', pin: '5937',
  } });
  assert.equal(signup.statusCode, 202);
  const redirectUri = `${origin}/dienst/terug`;
  const client = await registerClient(systemCtx(t.db.kysely, t.config, 'test'), {
    name: 'E-lezer', redirectUris: [redirectUri], scopes: ['library', 'membership_active', 'age_group'], public: true,
  });
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  const auth = new URL(`${origin}/oidc/auth`);
  for (const [k, v] of Object.entries({
    client_id: client.clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'openid library membership_active',
    code_challenge: challenge, code_challenge_method: 'S256', state: 'xyz', library: 'utrecht',
  })) auth.searchParams.set(k, v);

  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(auth.toString());
    const loginViolations = await axeViolations(page);
    assert.deepEqual(loginViolations, [], formatViolations(loginViolations));
    assert.equal(await page.locator('h1').count(), 1);
    await page.getByLabel(/E-mailadres/).fill(email);
    await page.getByLabel(/^Wachtwoord/).fill(password);
    await Promise.all([page.waitForURL(/\/oidc-interaction\/[^/]+$/), page.locator('form[action$="/login"] button[type="submit"]').click()]);
    assert.equal(await page.locator('h1').innerText(), 'E-lezer wil gegevens van u gebruiken');
    const consentViolations = await axeViolations(page);
    assert.deepEqual(consentViolations, [], formatViolations(consentViolations));
    assert.match(await page.content(), /Bibliotheek Utrecht/);
    // agree: the form posts, then the provider redirects to the service (a page that 404s here)
    const back = page.waitForURL((u) => u.toString().startsWith(redirectUri), { timeout: 15_000 });
    await page.locator('form[action$="/consent"] button[value="allow"]').click();
    await back;
    const landed = new URL(page.url());
    assert.ok(landed.searchParams.get('code'), `redirected with a code: ${page.url()}`);
    assert.equal(landed.searchParams.get('state'), 'xyz');
  } finally {
    await context.close();
  }
});
