// The results page and the title page in real Chromium: no axe-core violations (WCAG 2.1 AA) under
// two libraries' brands — also with titles, activities and services mixed and activity facets on —
// the facet form works by keyboard without JavaScript, and the header search box of every portal
// page offers completions when JavaScript runs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { axeViolations, formatViolations } from '../../../test/support/axe.ts';
import { startBrowserApp, type BrowserApp } from '../../../test/support/browser-app.ts';
import type { TestApp } from '../../../test/support/app.ts';
import { buildActivity, libraryId } from '../../../test/support/activities.ts';

let t: TestApp;
let browser: Browser;
let base: string;

let env: BrowserApp;
before(async () => {
  env = await startBrowserApp({ logLevel: 'silent' });
  ({ t, origin: base, browser } = env);
});
after(async () => { await env?.close(); });

async function violations(url: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const response = await page.goto(`${base}${url}`);
  const found = await axeViolations(page);
  await context.close();
  return { status: response?.status(), violations: formatViolations(found) };
}

describe('search and title pages in a browser', () => {
  for (const slug of ['utrecht', 'groningen']) {
    test(`the results page with facets has no WCAG 2.1 AA violations (${slug})`, async () => {
      const r = await violations(`/${slug}/zoeken?q=gedichten&format=book`);
      assert.equal(r.status, 200);
      assert.equal(r.violations, '');
    });

    test(`mixed results (titles, an activity) and activity facets have no WCAG 2.1 AA violations (${slug})`, async () => {
      const search = (await t.app.inject({ url: `/api/v1/libraries/${slug}/search?q=max+havelaar` })).json();
      assert.deepEqual(new Set(search.results.map((r: { kind: string }) => r.kind)), new Set(['title', 'activity']), 'the demo reading club and the book');
      const mixed = await violations(`/${slug}/zoeken?q=max+havelaar`);
      assert.equal(mixed.status, 200);
      assert.equal(mixed.violations, '');
      const today = new Date().toISOString().slice(0, 10);
      const filtered = await violations(`/${slug}/zoeken?function=reading_literature&free=true&branch=online&kind=activity&kind=service&from=${today}`);
      assert.equal(filtered.status, 200);
      assert.equal(filtered.violations, '');
    });

    test(`a title page with related activities has no WCAG 2.1 AA violations (${slug})`, async () => {
      const search = await t.app.inject({ url: `/api/v1/libraries/${slug}/search?q=max+havelaar&kind=title` });
      const id = search.json().results[0].id as string;
      await buildActivity(t.db, await libraryId(t.db, slug), { title: `Leesclub in ${slug}`, relatedTitleIds: [id] });
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${base}/${slug}/titels/${id}`);
      assert.equal(await page.getByRole('heading', { name: 'Activiteiten over dit boek' }).count(), 1);
      assert.equal(formatViolations(await axeViolations(page)), '');
      await context.close();
    });

    test(`a title page has no WCAG 2.1 AA violations (${slug})`, async () => {
      const search = await t.app.inject({ url: `/api/v1/libraries/${slug}/search?q=vondel&availability=available` });
      const id = search.json().results[0].id as string;
      const r = await violations(`/${slug}/titels/${id}`);
      assert.equal(r.status, 200);
      assert.equal(r.violations, '');
    });
  }

  test('facets work by keyboard without JavaScript: tick a box, submit, the filter applies', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/utrecht/zoeken?q=gedichten`);
    await page.focus('#f-format-ebook');
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Filters toepassen' }).press('Enter');
    await page.waitForURL(/format=ebook/);
    assert.ok(await page.locator('#f-format-ebook').isChecked());
    await context.close();
  });

  test('activity facets work by keyboard without JavaScript too', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/utrecht/zoeken?q=leesclub`);
    await page.focus('#f-function-reading_literature');
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Filters toepassen' }).press('Enter');
    await page.waitForURL(/function=reading_literature/);
    assert.ok(await page.locator('#f-function-reading_literature').isChecked());
    assert.ok(await page.locator('a[href*="/utrecht/activiteiten/"]').count() > 0);
    await context.close();
  });

  test('the header search box on any portal page offers completions with JavaScript, and still submits', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/groningen/vestigingen`);
    await page.locator('#eb-search-q').pressSequentially('multat');
    await page.waitForFunction(() => document.querySelectorAll('datalist option').length > 0);
    const options = await page.locator('datalist option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    assert.ok(options.includes('multatuli'));
    assert.equal(formatViolations(await axeViolations(page)), '');
    await page.locator('#eb-search-q').press('Enter');
    await page.waitForURL(/\/groningen\/zoeken\?q=multat/);
    await context.close();
  });

  test('with JavaScript, typing offers completions in a datalist (progressive enhancement)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/utrecht/zoeken`);
    await page.locator('#q').pressSequentially('vestd');
    await page.waitForFunction(() => document.querySelectorAll('datalist option').length > 0);
    const options = await page.locator('datalist option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    assert.ok(options.includes('vestdijk'));
    await context.close();
  });
});
