// The lending pages in real Chromium: Mijn leningen, the title page with its actions and the desk
// console (check out, check in, hold shelf) have no axe-core violations (WCAG 2.1 AA) under three
// library brands; the desk works by keyboard alone with JavaScript off, as a keyboard-wedge
// scanner drives it (digits and Enter), with the focus back in the barcode field after each scan.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { axeViolations, formatViolations } from '../../../test/support/axe.ts';
import { startBrowserApp, type BrowserApp } from '../../../test/support/browser-app.ts';
import type { TestApp } from '../../../test/support/app.ts';
import { grantStaff } from '../../../test/support/auth.ts';
import { branchIdOf, buildMember, buildPool, buildTitleWithCopies } from '../../../test/support/lending.ts';
import { assertPageBasics, autofocused } from '../../../test/support/page-checks.ts';
import { systemCtx } from '../../platform/context.ts';
import { checkOut, placeHold, type NoticeLibrary } from './index.ts';

let t: TestApp;
let browser: Browser;
let origin: string;
let env: BrowserApp;
before(async () => {
  env = await startBrowserApp({ logLevel: 'silent' });
  ({ t, origin, browser } = env);
});
after(async () => { await env?.close(); });

const ctx = () => systemCtx(t.db.kysely, t.config, 'test');

async function contextFor(cookies: Record<string, string>, javaScriptEnabled = true) {
  const context = await browser.newContext({ javaScriptEnabled });
  await context.addCookies(Object.entries(cookies).map(([name, value]) => ({ name, value, url: origin })));
  return context;
}

async function check(page: Page, url: string, status = 200) {
  const res = await page.goto(`${origin}${url}`);
  assert.equal(res?.status(), status, url);
  await assertPageBasics(page, url);
  assert.equal(formatViolations(await axeViolations(page)), '', url);
}

async function noticeLib(slug: string): Promise<NoticeLibrary> {
  const l = await t.db.kysely.selectFrom('library').select(['id', 'name']).where('slug', '=', slug).executeTakeFirstOrThrow();
  return { id: l.id, name: l.name, url: `${origin}/${slug}/` };
}

describe('lending pages pass axe-core under three brands', () => {
  for (const slug of ['utrecht', 'amsterdam', 'fryslan']) {
    test(`${slug}: Mijn leningen, the title page with actions, and the desk console`, async () => {
      const lib = await noticeLib(slug);
      const branch = await branchIdOf(t.db.kysely, lib.id);
      const m = await buildMember(t, { librarySlug: slug });
      const { items: [late, soon, shelf] } = await buildTitleWithCopies(t.db.kysely, slug, 3, { title: `Leesboek ${slug}` });
      await checkOut(ctx(), { library: lib, patron: { accountId: m.id }, barcode: late!.barcode, channel: 'desk', now: new Date(Date.now() - 30 * 86_400_000) });
      await checkOut(ctx(), { library: lib, patron: { accountId: m.id }, barcode: soon!.barcode, channel: 'desk' });
      const { titleId: ebook } = await buildPool(t.db.kysely, { model: 'one_copy_one_user', concurrency: 1 });
      await t.app.inject({ method: 'POST', url: `/api/v1/libraries/${slug}/digital-loans`, cookies: m.cookies, payload: { titleId: ebook } });
      const { titleId: wanted } = await buildTitleWithCopies(t.db.kysely, slug, 1, { title: `Gewild ${slug}` });
      await placeHold(ctx(), { library: lib, patron: { accountId: m.id }, titleId: wanted, pickupBranchId: branch.id });

      const member = await contextFor(m.cookies);
      const page = await member.newPage();
      await check(page, `/${slug}/mijn/leningen`);
      await check(page, `/${slug}/titels/${wanted}`);
      // the queue form of a digital title whose only licence is out
      const other = await buildMember(t, { librarySlug: slug });
      const otherContext = await contextFor(other.cookies);
      const otherPage = await otherContext.newPage();
      await check(otherPage, `/${slug}/titels/${ebook}`);
      // the reserve form with its pickup branch choice
      await check(otherPage, `/${slug}/titels/${wanted}`);
      assert.equal(await otherPage.locator('select[name="vestiging"]').count(), 1);
      await otherContext.close();
      await member.close();

      const staff = await buildMember(t, { librarySlug: slug });
      await grantStaff(t, staff.id, slug, 'desk');
      const desk = await contextFor(staff.cookies);
      const dp = await desk.newPage();
      await check(dp, `/${slug}/beheer/balie?vestiging=${branch.slug}&pas=${m.cardNumber}`);
      // a scan that fails: the error next to the field
      await dp.fill('#streepjescode', '12345678');
      await dp.press('#streepjescode', 'Enter');
      await dp.waitForSelector('#streepjescode-error');
      assert.equal(formatViolations(await axeViolations(dp)), '', 'check-out with an error');
      // check in: the copy goes to the hold shelf of the member who waits
      await check(dp, `/${slug}/beheer/balie/innemen?vestiging=${branch.slug}`);
      const { titleId: forShelf, items: [copy] } = await buildTitleWithCopies(t.db.kysely, slug, 1, { title: `Plank ${slug}`, branches: [branch.slug] });
      await placeHold(ctx(), { library: lib, patron: { accountId: m.id }, titleId: forShelf, pickupBranchId: branch.id });
      await dp.fill('#streepjescode', copy!.barcode);
      await Promise.all([dp.waitForURL(/ingenomen=/), dp.press('#streepjescode', 'Enter')]);
      assert.match(await dp.content(), /Op de reserveringsplank leggen/);
      assert.equal(formatViolations(await axeViolations(dp)), '', 'check-in result');
      await check(dp, `/${slug}/beheer/balie/reserveringsplank?vestiging=${branch.slug}`);
      assert.match(await dp.content(), new RegExp(`Plank ${slug}`));
      await check(dp, `/${slug}/beheer/balie/lid?vestiging=${branch.slug}&pas=${m.cardNumber}`);
      assert.ok(shelf);
      await desk.close();
    });
  }
});

test('the desk by keyboard alone, without JavaScript: card and Enter, then two scans, the focus stays on the barcode field', async () => {
  const lib = await noticeLib('utrecht');
  const branch = await branchIdOf(t.db.kysely, lib.id);
  const m = await buildMember(t);
  const { items: [one, two] } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 2, { title: 'Scanboek', branches: [branch.slug] });
  const staff = await buildMember(t);
  await grantStaff(t, staff.id, 'utrecht', 'desk');
  const context = await contextFor(staff.cookies, false);
  const page = await context.newPage();
  await page.goto(`${origin}/utrecht/beheer/balie?vestiging=${branch.slug}`);
  assert.equal((await autofocused(page)).id, 'pas', 'the card field has the focus when the console opens');
  await page.keyboard.type(m.cardNumber);
  await Promise.all([page.waitForURL(/pas=/), page.keyboard.press('Enter')]);
  assert.equal((await autofocused(page)).id, 'streepjescode', 'after the card, the barcode field has the focus');
  for (const copy of [one!, two!]) {
    await page.keyboard.type(copy.barcode);
    await Promise.all([page.waitForURL(new RegExp(`uitgeleend=${copy.barcode}`)), page.keyboard.press('Enter')]);
    assert.equal((await autofocused(page)).id, 'streepjescode', `after scanning ${copy.barcode} the focus is back in the barcode field`);
    assert.match(await page.content(), /Uitgeleend: Scanboek/);
  }
  const loans = await page.locator('table tbody tr').count();
  assert.equal(loans, 2, 'both loans are listed on the same page');

  // check in both by keyboard: each answer says where the copy goes, focus stays
  await page.goto(`${origin}/utrecht/beheer/balie/innemen?vestiging=${branch.slug}`);
  for (const copy of [one!, two!]) {
    assert.equal((await autofocused(page)).id, 'streepjescode');
    await page.keyboard.type(copy.barcode);
    await Promise.all([page.waitForURL(new RegExp(`ingenomen=${copy.barcode}`)), page.keyboard.press('Enter')]);
    assert.match(await page.content(), /Terugzetten in de kast/);
  }
  assert.equal((await autofocused(page)).id, 'streepjescode');
  await context.close();
});

test('Mijn leningen works without JavaScript: renew a loan by keyboard', async () => {
  const lib = await noticeLib('utrecht');
  const m = await buildMember(t);
  const { items: [copy] } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { title: 'Toetsenbordboek' });
  await checkOut(ctx(), { library: lib, patron: { accountId: m.id }, barcode: copy!.barcode, channel: 'desk', now: new Date(Date.now() - 10 * 86_400_000) });
  const context = await contextFor(m.cookies, false);
  const page = await context.newPage();
  const res = await page.goto(`${origin}/utrecht/mijn/leningen`);
  assert.equal(res?.status(), 200, (await page.content()).slice(0, 3000));
  const names = await page.locator('button').allTextContents();
  assert.ok(names.includes('Verlengen: Toetsenbordboek'), names.join(' | '));
  await page.locator('button', { hasText: 'Verlengen: Toetsenbordboek' }).focus();
  await Promise.all([page.waitForURL(/bericht=verlengd/), page.keyboard.press('Enter')]);
  assert.match(await page.content(), /Verlengd\./);
  await context.close();
});
