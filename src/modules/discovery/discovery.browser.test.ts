// The results page and the title page in real Chromium: no axe-core violations (WCAG 2.1 AA) under
// two libraries' brands, and the facet form works by keyboard without JavaScript.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { axeViolations, formatViolations } from '../../../test/support/axe.ts';
import { startBrowserApp, type BrowserApp } from '../../../test/support/browser-app.ts';
import type { TestApp } from '../../../test/support/app.ts';

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
