// The platform foundation in a real browser (architecture §7): the national entry leads to the
// right local portal by keyboard alone and without JavaScript, and every foundation page meets
// WCAG 2.1 AA by axe-core, in the colours of several libraries and in both languages.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, formatViolations } from '../support/axe.ts';
import { startBrowserApp, type BrowserApp } from '../support/browser-app.ts';
import { assertPageBasics, focused, tabTo } from '../support/page-checks.ts';
import type { TestApp } from '../support/app.ts';

let t: TestApp;
let origin: string;
let browser: Browser;

let env: BrowserApp;
before(async () => {
  env = await startBrowserApp();
  ({ t, origin, browser } = env);
});
after(async () => { await env?.close(); });

async function pressEnterAndWait(page: Page, url: RegExp): Promise<void> {
  await Promise.all([page.waitForURL(url), page.keyboard.press('Enter')]);
}

async function h1(page: Page): Promise<string> {
  return (await page.locator('h1').innerText()).trim();
}

async function libraryJson(slug: string): Promise<{ name: string; branches: { slug: string; name: string }[] }> {
  const res = await fetch(`${origin}/api/v1/libraries/${slug}`);
  assert.equal(res.status, 200, `GET /api/v1/libraries/${slug}`);
  return res.json() as Promise<{ name: string; branches: { slug: string; name: string }[] }>;
}

describe('with the keyboard alone', () => {
  let context: BrowserContext;
  let page: Page;
  before(async () => {
    context = await browser.newContext();
    page = await context.newPage();
  });
  after(async () => { await context.close(); });

  test('the skip link is the first thing Tab reaches, it becomes visible and moves focus to the main content', async () => {
    await page.goto(`${origin}/`);
    const first = await tabTo(page, 'skip link', () => true, 1);
    assert.equal(first.href, '#inhoud');
    assert.equal(first.text, 'Naar de inhoud');
    const box = await page.locator('.eb-skip-link').boundingBox();
    assert.ok(box && box.y >= 0 && box.height > 0, 'the focused skip link is on screen');
    await page.keyboard.press('Enter');
    assert.equal((await focused(page)).tag, 'main', 'focus is on <main> after the skip link');
    const next = await tabTo(page, 'first field after the skip', () => true, 1);
    assert.equal(next.id, 'postcode', 'the next Tab reaches the postcode field, not the header');
  });

  test('postcode 3511 AB leads to Bibliotheek Utrecht, then through the menu to a branch page', async () => {
    const utrecht = await libraryJson('utrecht');
    await page.goto(`${origin}/`);
    await tabTo(page, 'postcode field', (f) => f.id === 'postcode');
    await page.keyboard.type('3511 AB');
    await pressEnterAndWait(page, /\/utrecht\/$/);
    assert.equal(await h1(page), 'Bibliotheek Utrecht');

    await tabTo(page, 'branches in the main menu', (f) => f.href === '/utrecht/vestigingen');
    await pressEnterAndWait(page, /\/utrecht\/vestigingen$/);
    assert.equal(await h1(page), 'Vestigingen en openingstijden');

    const branch = utrecht.branches[1] ?? utrecht.branches[0]!;
    await tabTo(page, `branch ${branch.slug}`, (f) => f.href === `/utrecht/vestigingen/${branch.slug}`);
    await pressEnterAndWait(page, new RegExp(`/utrecht/vestigingen/${branch.slug}$`));
    assert.equal(await h1(page), branch.name);
  });

  test('postcode 1011 leads to Bibliotheek Amsterdam, then from its home page to a branch page', async () => {
    const amsterdam = await libraryJson('amsterdam');
    await page.goto(`${origin}/`);
    await tabTo(page, 'postcode field', (f) => f.id === 'postcode');
    await page.keyboard.type('1011');
    await pressEnterAndWait(page, /\/amsterdam\/$/);
    assert.equal(await h1(page), 'Bibliotheek Amsterdam');

    const branch = amsterdam.branches[0]!;
    await tabTo(page, `branch ${branch.slug}`, (f) => f.href === `/amsterdam/vestigingen/${branch.slug}`);
    await pressEnterAndWait(page, new RegExp(`/amsterdam/vestigingen/${branch.slug}$`));
    assert.equal(await h1(page), branch.name);
  });

  test('an invalid postcode shows its error next to the field, and the field keeps what was typed', async () => {
    await page.goto(`${origin}/`);
    await tabTo(page, 'postcode field', (f) => f.id === 'postcode');
    await page.keyboard.type('abc');
    await pressEnterAndWait(page, /\/\?postcode=abc$/);
    const field = page.locator('#postcode');
    assert.equal(await field.inputValue(), 'abc');
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    assert.match((await field.getAttribute('aria-describedby')) ?? '', /\bpostcode-error\b/);
    assert.ok(await page.locator('#postcode-error').isVisible());
  });
});

describe('WCAG 2.1 AA by axe-core', () => {
  let context: BrowserContext;
  let page: Page;
  before(async () => {
    context = await browser.newContext();
    page = await context.newPage();
  });
  after(async () => { await context.close(); });

  async function check(path: string, status: number): Promise<void> {
    const res = await page.goto(`${origin}${path}`);
    assert.equal(res?.status(), status, `${path}: status`);
    await assertPageBasics(page, path);
    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, `${path}: axe found violations\n${formatViolations(violations)}`);
  }

  // Zero violations only means something if axe really runs inside these CSP-protected pages.
  test('axe runs in the page and reports a field that loses its label', async () => {
    await page.goto(`${origin}/`);
    await page.evaluate(() => document.querySelector('label[for="postcode"]')?.remove());
    const violations = await axeViolations(page);
    assert.deepEqual(violations.map((v) => v.id), ['label'], formatViolations(violations));
  });

  describe('the national pages', () => {
    const pages: [string, number][] = [
      ['/', 200],
      ['/?postcode=abc', 400],
      ['/?postcode=1099', 404],
      ['/?q=gelderland', 200],
      ['/?q=zzzz', 200],
      ['/?lang=en', 200],
      ['/does-not-exist', 404],
      ['/api/v1/docs', 200],
    ];
    for (const [path, status] of pages) test(`${path} (${status})`, () => check(path, status));
  });

  // Each brand has its own colours: contrast must hold under every token set, not just one.
  for (const slug of ['utrecht', 'amsterdam', 'fryslan', 'noord-holland']) {
    describe(`the portal of ${slug}`, () => {
      let branch: string;
      before(async () => { branch = (await libraryJson(slug)).branches[0]!.slug; });
      const pages: [string, number][] = [
        [`/${slug}/`, 200],
        [`/${slug}/vestigingen`, 200],
        [`/${slug}/vestigingen/<branch>`, 200],
        [`/${slug}/privacy`, 200],
        [`/${slug}/toegankelijkheid`, 200],
        [`/${slug}/contact`, 200],
        [`/${slug}/zoeken`, 200],
        [`/${slug}/zoeken?q=reis`, 200],
        [`/${slug}/vestigingen/nope`, 404],
      ];
      for (const [path, status] of pages) test(`${path} (${status})`, () => check(path.replace('<branch>', branch), status));
    });
  }

  describe('the portal of utrecht in English', () => {
    let branch: string;
    before(async () => { branch = (await libraryJson('utrecht')).branches[0]!.slug; });
    for (const path of ['/utrecht/', '/utrecht/vestigingen', '/utrecht/vestigingen/<branch>', '/utrecht/privacy',
      '/utrecht/toegankelijkheid', '/utrecht/contact']) {
      test(`${path}?lang=en`, async () => {
        await check(`${path.replace('<branch>', branch)}?lang=en`, 200);
        assert.equal(await page.getAttribute('html', 'lang'), 'en');
      });
    }
    test('/utrecht/zoeken?lang=en', () => check('/utrecht/zoeken?lang=en', 200));
    test('/utrecht/vestigingen/nope?lang=en (404)', () => check('/utrecht/vestigingen/nope?lang=en', 404));
  });

  test('the home page of every library in the network passes, in its own colours', async () => {
    const res = await fetch(`${origin}/api/v1/libraries`);
    const { libraries } = await res.json() as { libraries: { slug: string }[] };
    assert.ok(libraries.length >= 20, 'the demo network has all its libraries');
    const failures: string[] = [];
    for (const { slug } of libraries) {
      await page.goto(`${origin}/${slug}/?lang=nl`);
      const violations = await axeViolations(page);
      if (violations.length) failures.push(`/${slug}/\n${formatViolations(violations)}`);
    }
    assert.deepEqual(failures, [], failures.join('\n'));
  });
});

describe('without JavaScript', () => {
  let context: BrowserContext;
  let page: Page;
  before(async () => {
    context = await browser.newContext({ javaScriptEnabled: false });
    page = await context.newPage();
  });
  after(async () => { await context.close(); });

  test('a visitor finds the library by postcode, opens a branch and switches to English on the same page', async () => {
    const utrecht = await libraryJson('utrecht');
    await page.goto(`${origin}/`);
    await page.locator('#postcode').fill('3511 AB');
    await Promise.all([page.waitForURL(/\/utrecht\/$/), page.getByRole('button', { name: 'Naar mijn bibliotheek' }).click()]);
    assert.equal(await h1(page), 'Bibliotheek Utrecht');

    await Promise.all([
      page.waitForURL(/\/utrecht\/vestigingen$/),
      page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Vestigingen en openingstijden' }).click(),
    ]);
    assert.equal(await h1(page), 'Vestigingen en openingstijden');

    const branch = utrecht.branches[0]!;
    await Promise.all([
      page.waitForURL(new RegExp(`/utrecht/vestigingen/${branch.slug}$`)),
      page.getByRole('main').getByRole('link', { name: branch.name, exact: true }).click(),
    ]);
    assert.equal(await h1(page), branch.name);
    assert.equal(await page.getAttribute('html', 'lang'), 'nl');

    const before = new URL(page.url()).pathname;
    await Promise.all([
      page.waitForURL(/lang=en/),
      page.getByRole('navigation', { name: 'Taal' }).getByRole('link', { name: 'English' }).click(),
    ]);
    assert.equal(new URL(page.url()).pathname, before, 'the language switch keeps the page');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await h1(page), branch.name);
    assert.ok(await page.getByRole('heading', { name: 'Weekly opening hours' }).isVisible());

    // the choice is kept (a cookie, no script): the next page is English without ?lang
    await Promise.all([
      page.waitForURL(/\/utrecht\/vestigingen$/),
      page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Branches and opening hours' }).click(),
    ]);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await h1(page), 'Branches and opening hours');
  });

  test('the finder filters libraries by name with a plain form submit', async () => {
    // ?lang=nl: the previous test left this context's language cookie on English
    await page.goto(`${origin}/?lang=nl`);
    await page.locator('#q').fill('gelderland');
    await Promise.all([page.waitForURL(/\/\?q=gelderland$/), page.getByRole('button', { name: 'Zoek', exact: true }).click()]);
    assert.ok(await page.getByRole('link', { name: 'Bibliotheek Gelderland' }).isVisible());
    assert.equal(await page.getByRole('link', { name: 'Bibliotheek Amsterdam' }).count(), 0);
  });
});
