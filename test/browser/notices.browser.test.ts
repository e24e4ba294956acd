// Lending notices in Chromium: the development viewer lists a due-date reminder and passes axe;
// its HTML version opens from the viewer and shows the library's brand — the header really is in
// the library's primary colour (the mail's inline styles apply under its own policy), the text is
// in the member's language, and the mail itself meets WCAG 2.1 AA where a browser can check it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { axeViolations, formatViolations } from '../support/axe.ts';
import { startBrowserApp, type BrowserApp } from '../support/browser-app.ts';
import { buildMember, buildTitleWithCopies } from '../support/lending.ts';
import { systemCtx } from '../../src/platform/context.ts';
import { checkOut, lendingLibraries, sendDueReminders } from '../../src/modules/lending/index.ts';

let env: BrowserApp;
before(async () => { env = await startBrowserApp(); });
after(async () => { await env?.close(); });

async function assertNoViolations(page: Page, label: string) {
  const violations = await axeViolations(page);
  assert.equal(violations.length, 0, `${label}: axe found violations\n${formatViolations(violations)}`);
}

test('a reminder in English from the viewer: the viewer and the branded HTML mail pass axe, the header carries the library colour', async () => {
  const { t, origin, browser } = env;
  const ctx = systemCtx(t.db.kysely, t.config, 'test');
  const lib = (await lendingLibraries(ctx)).find((l) => l.url.endsWith('/utrecht/'))!;
  const m = await buildMember(t);
  await t.db.kysely.updateTable('account').set({ preferredLanguage: 'en' }).where('id', '=', m.id).execute();
  const { items: [copy] } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { title: 'Het diner' });
  await checkOut(ctx, { library: lib, patron: { cardNumber: m.cardNumber }, barcode: copy!.barcode, channel: 'desk', now: new Date(Date.now() - 19 * 86_400_000) });
  await sendDueReminders(ctx, [lib]);
  const library = await t.db.kysely.selectFrom('library').select(['name', 'brand']).where('id', '=', lib.id).executeTakeFirstOrThrow();

  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    assert.equal((await page.goto(`${origin}/dev/mail`))?.status(), 200);
    const mail = page.locator('article.eb-mail', { hasText: m.email }).first();
    assert.match(await mail.locator('h2').innerText(), /^Your loan is due soon$/);
    await assertNoViolations(page, '/dev/mail');
    await Promise.all([page.waitForLoadState(), mail.getByRole('link', { name: /Formatted version \(HTML\)|Opgemaakte versie \(HTML\)/ }).click()]);
    assert.match(page.url(), /\/dev\/mail\/[0-9a-f-]{36}$/);
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal((await page.locator('h1').innerText()).trim(), 'Your loan is due soon');
    const header = page.locator('header');
    assert.match(await header.innerText(), new RegExp(library.name));
    const hex = (rgb: string) => `#${(rgb.match(/\d+/g) ?? []).slice(0, 3).map((x) => Number(x).toString(16).padStart(2, '0')).join('')}`;
    assert.equal(hex(await header.evaluate((el) => getComputedStyle(el).backgroundColor)), library.brand.primary.toLowerCase());
    assert.match(await page.locator('main').innerText(), /Het diner \(due /);
    await assertNoViolations(page, 'HTML mail');
  } finally {
    await context.close();
  }
});
