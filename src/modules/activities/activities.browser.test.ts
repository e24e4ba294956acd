// Accessibility of the activity screens in a real browser (Chromium): agenda, activity page,
// registration form (also with errors) and the check-in screen, under three library brands, with
// zero axe-core violations (WCAG 2.1 A/AA), JavaScript off, and the registration done by keyboard.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { testApp, type TestApp } from '../../../test/support/app.ts';
import { buildAccount, grantStaff, signIn } from '../../../test/support/auth.ts';
import { buildActivity, libraryId } from '../../../test/support/activities.ts';
import { findChromium } from '../../../test/support/browser.ts';

let t: TestApp;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let origin: string;
const axePath = path.resolve(import.meta.dirname, '../../../node_modules/axe-core/axe.min.js');

before(async () => {
  t = await testApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  origin = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  // launched here (not with the shared helper, whose --user-data-dir this playwright-core refuses)
  browser = await chromium.launch({
    executablePath: findChromium()!,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  closeBrowser = () => browser.close();
});
after(async () => {
  await closeBrowser?.();
  await t.close();
});

async function axe(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async () => {
    const w = window as unknown as { axe: { run: (o: unknown) => Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } };
    const r = await w.axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  return violations;
}

async function contextFor(cookies: Record<string, string> = {}) {
  // axe is injected by the test, so the strict CSP is bypassed in this context; the pages ship no
  // script of their own (the keyboard test below runs with JavaScript off)
  const context = await browser.newContext({ bypassCSP: true });
  await context.addCookies(Object.entries(cookies).map(([name, value]) => ({ name, value, url: origin })));
  return context;
}

describe('activity screens pass axe-core under three brands', () => {
  for (const slug of ['utrecht', 'amsterdam', 'fryslan']) {
    test(`${slug}: agenda, activity page, registration errors and check-in`, async () => {
      const lib = await libraryId(t.db, slug);
      const { id } = await buildActivity(t.db, lib, { title: `Toegankelijk ${slug}`, capacity: 5, audience: ['adults'], description: 'Een avond over toegankelijkheid.' });
      const context = await contextFor();
      const page = await context.newPage();
      for (const url of [`/${slug}/activiteiten`, `/${slug}/activiteiten?function=reading_literature&free=true`, `/${slug}/activiteiten/${id}`]) {
        const res = await page.goto(`${origin}${url}`);
        assert.equal(res?.status(), 200, url);
        assert.deepEqual(await axe(page), [], url);
      }
      // the registration form with errors
      await page.fill('#email', 'geen-adres');
      await page.click('button[type=submit] >> text=Aanmelden');
      assert.match(await page.content(), /id="email-error"/);
      assert.deepEqual(await axe(page), [], 'form with errors');
      await context.close();

      const staff = await buildAccount(t, { librarySlug: slug });
      await grantStaff(t, staff.id, slug, 'desk');
      const member = await buildAccount(t, { librarySlug: slug });
      await t.app.inject({ method: 'POST', url: `/api/v1/libraries/${slug}/activities/${id}/registrations`, cookies: await signIn(t, member.id), payload: {} });
      const staffContext = await contextFor(await signIn(t, staff.id));
      const staffPage = await staffContext.newPage();
      const res = await staffPage.goto(`${origin}/${slug}/beheer/activiteiten/${id}/aanmeldingen`);
      assert.equal(res?.status(), 200);
      assert.deepEqual(await axe(staffPage), [], 'check-in screen');
      await staffContext.close();
    });
  }
});

test('registration works with the keyboard alone and without JavaScript', async () => {
  const lib = await libraryId(t.db, 'utrecht');
  const { id } = await buildActivity(t.db, lib, { title: 'Toetsenbord' });
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${origin}/utrecht/activiteiten/${id}`);
  await page.focus('#email');
  await page.keyboard.type('toetsenbord@example.org');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Space'); // the consent checkbox
  await page.keyboard.press('Tab');
  await Promise.all([page.waitForURL(/aanmelding=confirmed/), page.keyboard.press('Enter')]);
  assert.match(await page.content(), /U bent aangemeld/);
  await context.close();
});

test('the import page, with an inline error for a refused feed address, passes axe-core', async () => {
  const librarian = await buildAccount(t, { librarySlug: 'utrecht' });
  await grantStaff(t, librarian.id, 'utrecht', 'librarian');
  const context = await contextFor(await signIn(t, librarian.id));
  const page = await context.newPage();
  const res = await page.goto(`${origin}/utrecht/beheer/activiteiten/importeren`);
  assert.equal(res?.status(), 200);
  assert.deepEqual(await axe(page), [], 'import page');
  await page.fill('#url', 'ftp://agenda.example.org/alles.ics');
  await page.check('input[name=statutoryFunctions][value=reading_literature]');
  await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit] >> text=Importeren')]);
  assert.match(await page.content(), /id="url-error"/);
  assert.deepEqual(await axe(page), [], 'import page with an error');
  await context.close();
});
