// The lending jobs against real rows: due-date reminders (once per loan and due date, a renewal
// starts over), overdue notices (first, weekly, at most three), loan-history anonymisation under
// the reading-history consent, and hold, offer and digital-loan expiry passing things on. Then the
// notices themselves: the member's language, the library's brand, and the development viewer.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testApp, type TestApp } from '../../../test/support/app.ts';
import { buildMember, buildPool, buildTitleWithCopies, type TestMember } from '../../../test/support/lending.ts';
import { systemCtx } from '../../platform/context.ts';
import { inTenant } from '../../platform/db/tenant.ts';
import {
  LENDING_JOBS, borrowDigital, checkIn, checkOut, lendingLibraries, placeHold, renew, returnDigital, sendDueReminders, sendOverdueNotices, type NoticeLibrary,
} from './index.ts';

let t: TestApp;
let lib: NoticeLibrary;
let centrum: { id: string; slug: string };
const DAY = 86_400_000;
before(async () => {
  t = await testApp();
  lib = (await lendingLibraries(ctx())).find((l) => l.url.endsWith('/utrecht/'))!;
  centrum = await inTenant(t.db.kysely, lib.id, (tx) => tx.selectFrom('branch').select(['id', 'slug']).where('libraryId', '=', lib.id).orderBy('slug').executeTakeFirstOrThrow());
});
after(async () => { await t.close(); });

const ctx = () => systemCtx(t.db.kysely, t.config, 'test');

async function noticesOf(accountId: string, template?: string) {
  let q = t.db.kysely.selectFrom('notice').select(['id', 'template', 'subject', 'bodyText', 'bodyHtml', 'toAddress']).where('accountId', '=', accountId);
  if (template) q = q.where('template', '=', template);
  return q.orderBy('createdAt').execute();
}

/** Lends copies of new titles to a member as if checked out `daysAgo` days ago (21-day loans). */
async function lend(m: TestMember, daysAgo: number, titles: string[]): Promise<{ loanId: string; barcode: string }[]> {
  const loans: { loanId: string; barcode: string }[] = [];
  for (const title of titles) {
    const { items: [copy] } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { title, branches: [centrum.slug] });
    const r = await checkOut(ctx(), { library: lib, patron: { cardNumber: m.cardNumber }, barcode: copy!.barcode, branchId: centrum.id, channel: 'desk', now: new Date(Date.now() - daysAgo * DAY) });
    loans.push({ loanId: r.loanId, barcode: copy!.barcode });
  }
  return loans;
}

async function setLanguage(m: TestMember, lang: 'nl' | 'en') {
  await t.db.kysely.updateTable('account').set({ preferredLanguage: lang }).where('id', '=', m.id).execute();
}

describe('due-date reminders', () => {
  test('one mail per member lists every loan due within three days; a second run sends nothing; loans due later wait', async () => {
    const m = await buildMember(t);
    const later = await buildMember(t);
    await lend(m, 19, ['Het Achterhuis', 'Max Havelaar']); // due in 2 days
    await lend(later, 10, ['De Avonden']); // due in 11 days
    const now = new Date();
    assert.ok(await sendDueReminders(ctx(), [lib], now) >= 1);
    const mails = await noticesOf(m.id, 'lending.due_soon');
    assert.equal(mails.length, 1);
    assert.match(mails[0]!.bodyText, /- Het Achterhuis \(inleveren vóór .+\)\n- Max Havelaar/);
    assert.equal(mails[0]!.subject, 'Uw leningen lopen bijna af');
    assert.equal(await sendDueReminders(ctx(), [lib], now), 0);
    assert.equal((await noticesOf(m.id, 'lending.due_soon')).length, 1);
    assert.equal((await noticesOf(later.id)).length, 0);
  });

  test('a renewal resets the reminder: the new due date gets its own reminder', async () => {
    const m = await buildMember(t);
    const { loanId } = (await lend(m, 19, ['Karakter']))[0]!;
    const now = new Date();
    await sendDueReminders(ctx(), [lib], now);
    assert.equal((await noticesOf(m.id, 'lending.due_soon')).length, 1);
    const renewed = await renew(ctx(), { library: lib, loanId, now });
    const reminded = await inTenant(t.db.kysely, lib.id, (tx) => tx.selectFrom('loan').select('remindedAt').where('libraryId', '=', lib.id).where('id', '=', loanId).executeTakeFirstOrThrow());
    assert.equal(reminded.remindedAt, null);
    await sendDueReminders(ctx(), [lib], now); // new due date three weeks away: nothing yet
    assert.equal((await noticesOf(m.id, 'lending.due_soon')).length, 1);
    await sendDueReminders(ctx(), [lib], new Date(renewed.dueAt.getTime() - 2 * DAY));
    assert.equal((await noticesOf(m.id, 'lending.due_soon')).length, 2);
  });
});

describe('overdue notices', () => {
  test('the first notice once, then weekly, at most three; a returned loan gets none', async () => {
    const m = await buildMember(t);
    const returned = await buildMember(t);
    await lend(m, 25, ['Turks fruit']); // due 4 days ago
    const [back] = await lend(returned, 25, ['Op hoop van zegen']);
    await checkIn(ctx(), { library: lib, barcode: back!.barcode, branchId: centrum.id, channel: 'desk' });

    const now = new Date();
    const count = async () => (await noticesOf(m.id, 'lending.overdue')).length;
    await sendOverdueNotices(ctx(), [lib], now);
    assert.equal(await count(), 1);
    await sendOverdueNotices(ctx(), [lib], now);
    assert.equal(await count(), 1, 'once per run of the week');
    await sendOverdueNotices(ctx(), [lib], new Date(now.getTime() + 3 * DAY));
    assert.equal(await count(), 1, 'not again within the week');
    await sendOverdueNotices(ctx(), [lib], new Date(now.getTime() + 8 * DAY));
    assert.equal(await count(), 2, 'a week later: the second notice');
    await sendOverdueNotices(ctx(), [lib], new Date(now.getTime() + 16 * DAY));
    assert.equal(await count(), 3);
    await sendOverdueNotices(ctx(), [lib], new Date(now.getTime() + 24 * DAY));
    assert.equal(await count(), 3, 'three notices at most');
    assert.equal((await noticesOf(returned.id, 'lending.overdue')).length, 0);
    const mail = (await noticesOf(m.id, 'lending.overdue'))[0]!;
    assert.equal(mail.subject, 'U bent te laat met inleveren');
    assert.match(mail.bodyText, /- Turks fruit/);
  });
});

describe('the job wrappers over every library', () => {
  test('anonymisation unlinks returned loans after the retention period, except for members who keep a reading history', async () => {
    const keeper = await buildMember(t);
    const forgetter = await buildMember(t);
    await inTenant(t.db.kysely, lib.id, (tx) => tx.insertInto('consent').values({ libraryId: lib.id, accountId: keeper.id, purpose: 'reading_history', granted: true }).execute());
    const { items } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 3, { branches: [centrum.slug] });
    const recent = await buildMember(t);
    for (const [m, item, daysAgo] of [[keeper, items[0]!, 40], [forgetter, items[1]!, 40], [recent, items[2]!, 10]] as const) {
      await checkOut(ctx(), { library: lib, patron: { cardNumber: m.cardNumber }, barcode: item.barcode, channel: 'desk', now: new Date(Date.now() - daysAgo * DAY) });
      await checkIn(ctx(), { library: lib, barcode: item.barcode, branchId: centrum.id, channel: 'desk', now: new Date(Date.now() - (daysAgo - 5) * DAY) });
    }
    assert.ok(await LENDING_JOBS['lending-history-anonymisation'].run(ctx()) >= 1);
    const rows = await inTenant(t.db.kysely, lib.id, (tx) => tx.selectFrom('loan').select(['itemId', 'accountId', 'anonymisedAt']).where('libraryId', '=', lib.id)
      .where('itemId', 'in', items.map((i) => i.id)).execute());
    const byItem = new Map(rows.map((r) => [r.itemId, r]));
    assert.equal(byItem.get(items[0]!.id)!.accountId, keeper.id, 'reading history kept with consent');
    assert.equal(byItem.get(items[1]!.id)!.accountId, null, 'unlinked without consent');
    assert.ok(byItem.get(items[1]!.id)!.anonymisedAt);
    assert.equal(byItem.get(items[2]!.id)!.accountId, recent.id, 'within the retention period');
  });

  test('a hold not collected in time expires with a notice, and the copy goes to the next in line', async () => {
    const [h1, h2] = [await buildMember(t), await buildMember(t)];
    await setLanguage(h1!, 'en');
    const { titleId, items: [copy] } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { title: 'Nooit meer slapen', branches: [centrum.slug] });
    const p1 = await placeHold(ctx(), { library: lib, patron: { accountId: h1!.id }, titleId, pickupBranchId: centrum.id });
    const p2 = await placeHold(ctx(), { library: lib, patron: { accountId: h2!.id }, titleId, pickupBranchId: centrum.id });
    assert.equal((await checkIn(ctx(), { library: lib, barcode: copy!.barcode, branchId: centrum.id, channel: 'desk' })).routing, 'hold_shelf');
    assert.equal((await noticesOf(h1!.id, 'lending.hold_ready')).length, 1);
    // the pickup date passes
    await inTenant(t.db.kysely, lib.id, (tx) => tx.updateTable('hold').set({ readyUntil: new Date(Date.now() - 60_000) }).where('libraryId', '=', lib.id).where('id', '=', p1.holdId).execute());
    assert.ok(await LENDING_JOBS['lending-hold-expiry'].run(ctx()) >= 1);
    const holds = await inTenant(t.db.kysely, lib.id, (tx) => tx.selectFrom('hold').select(['id', 'status']).where('libraryId', '=', lib.id).where('titleId', '=', titleId).execute());
    assert.deepEqual(new Map(holds.map((h) => [h.id, h.status])), new Map([[p1.holdId, 'expired'], [p2.holdId, 'ready']]));
    const expired = await noticesOf(h1!.id, 'lending.hold_expired');
    assert.equal(expired.length, 1);
    assert.equal(expired[0]!.subject, 'Hold expired: Nooit meer slapen');
    assert.equal((await noticesOf(h2!.id, 'lending.hold_ready')).length, 1);
  });

  test('a digital offer not taken within 48 hours passes to the next holder; an expired digital loan frees its licence for the queue', async () => {
    const [a, b, c] = [await buildMember(t), await buildMember(t), await buildMember(t)];
    const { titleId } = await buildPool(t.db.kysely, { model: 'one_copy_one_user', concurrency: 1 });
    const loan = await borrowDigital(ctx(), { library: lib, accountId: a!.id, titleId });
    assert.equal(loan.outcome, 'loan');
    const hb = await borrowDigital(ctx(), { library: lib, accountId: b!.id, titleId });
    const hc = await borrowDigital(ctx(), { library: lib, accountId: c!.id, titleId });
    assert.deepEqual([hb.outcome, hc.outcome], ['hold', 'hold']);
    const holdStatus = async (id: string) => (await inTenant(t.db.kysely, lib.id, (tx) => tx.selectFrom('hold').select('status').where('libraryId', '=', lib.id).where('id', '=', id).executeTakeFirstOrThrow())).status;

    // a's loan runs out: the expiry job ends it and offers the licence to b
    await inTenant(t.db.kysely, lib.id, (tx) => tx.updateTable('loan').set({ checkedOutAt: new Date(Date.now() - 30 * DAY), dueAt: new Date(Date.now() - 60_000) })
      .where('libraryId', '=', lib.id).where('id', '=', (loan as { loanId: string }).loanId).execute());
    assert.ok(await LENDING_JOBS['lending-digital-expiry'].run(ctx()) >= 1);
    const ended = await inTenant(t.db.kysely, lib.id, (tx) => tx.selectFrom('loan').select('status').where('libraryId', '=', lib.id).where('id', '=', (loan as { loanId: string }).loanId).executeTakeFirstOrThrow());
    assert.equal(ended.status, 'expired');
    assert.equal(await holdStatus((hb as { holdId: string }).holdId), 'ready');
    assert.equal((await noticesOf(b!.id, 'lending.digital_offer')).length, 1);

    // b lets the 48 hours pass: the offer lapses to c
    await inTenant(t.db.kysely, lib.id, (tx) => tx.updateTable('hold').set({ readyUntil: new Date(Date.now() - 60_000) }).where('libraryId', '=', lib.id).where('id', '=', (hb as { holdId: string }).holdId).execute());
    assert.ok(await LENDING_JOBS['lending-digital-expiry'].run(ctx()) >= 1);
    assert.equal(await holdStatus((hb as { holdId: string }).holdId), 'expired');
    assert.equal(await holdStatus((hc as { holdId: string }).holdId), 'ready');
    assert.equal((await noticesOf(c!.id, 'lending.digital_offer')).length, 1);
    // c takes it and returns it early: nobody waits any more
    const cl = await borrowDigital(ctx(), { library: lib, accountId: c!.id, titleId });
    assert.equal(cl.outcome, 'loan');
    await returnDigital(ctx(), { library: lib, loanId: (cl as { loanId: string }).loanId, accountId: c!.id });
  });
});

describe('notices in the member\'s language and the library\'s brand', () => {
  test('a Dutch and an English member get their own language, the library\'s name, address and portal link, and an HTML part in its colours', async () => {
    const nl = await buildMember(t);
    const en = await buildMember(t);
    await setLanguage(en, 'en');
    await lend(nl, 19, ['Kaas']);
    await lend(en, 19, ['Tom & Jerry <Deel 1>']);
    await sendDueReminders(ctx(), [lib]);
    const library = await t.db.kysely.selectFrom('library').select(['name', 'brand', 'email', 'phone']).where('id', '=', lib.id).executeTakeFirstOrThrow();
    const branch = await inTenant(t.db.kysely, lib.id, (tx) => tx.selectFrom('branch').select(['street', 'postcode']).where('libraryId', '=', lib.id).orderBy('slug').executeTakeFirstOrThrow());

    const [dutch] = await noticesOf(nl.id, 'lending.due_soon');
    const [english] = await noticesOf(en.id, 'lending.due_soon');
    assert.equal(dutch!.subject, 'Uw lening loopt bijna af');
    assert.equal(english!.subject, 'Your loan is due soon');
    assert.match(dutch!.bodyText, /Met vriendelijke groet,/);
    assert.match(english!.bodyText, /Kind regards,/);
    assert.doesNotMatch(english!.bodyText, /inleveren|Met vriendelijke/);
    for (const mail of [dutch!, english!]) {
      assert.ok(mail.bodyText.startsWith(`${library.name}\n===`), 'the text part opens with the library\'s name');
      for (const part of [library.email, library.phone, branch.street, branch.postcode, `${lib.url}mijn`]) assert.ok(mail.bodyText.includes(part), `text part holds ${part}`);
      const html = mail.bodyHtml!;
      assert.ok(html.includes(`background:${library.brand.primary}`), 'the header is in the library\'s primary colour');
      assert.match(html, /<img src="data:image\/svg\+xml;base64,/);
      for (const part of [library.name, library.email, branch.street]) assert.ok(html.includes(part), `HTML part holds ${part}`);
    }
    assert.match(dutch!.bodyHtml!, /<html lang="nl">/);
    assert.match(english!.bodyHtml!, /<html lang="en">/);
    assert.ok(english!.bodyText.includes(`${lib.url}mijn?lang=en`), 'the English reader is sent to the English portal');
    // titles are text, never markup
    assert.ok(english!.bodyHtml!.includes('Tom &amp; Jerry &lt;Deel 1'));
    assert.ok(!english!.bodyHtml!.includes('<Deel 1>'));

    // the development viewer lists both and serves the HTML part under its own strict policy
    const page = await t.app.inject({ url: '/dev/mail' });
    assert.equal(page.statusCode, 200);
    for (const mail of [dutch!, english!]) {
      assert.ok(page.body.includes(mail.subject));
      assert.ok(page.body.includes(`href="/dev/mail/${mail.id}"`));
    }
    const html = await t.app.inject({ url: `/dev/mail/${english!.id}` });
    assert.equal(html.statusCode, 200);
    assert.match(String(html.headers['content-type']), /^text\/html/);
    assert.match(String(html.headers['content-security-policy']), /default-src 'none'.*sandbox/);
    assert.equal(html.body, english!.bodyHtml);
    assert.equal((await t.app.inject({ url: '/dev/mail/00000000-0000-0000-0000-000000000000' })).statusCode, 404);
    assert.equal((await t.app.inject({ url: '/dev/mail/nope' })).statusCode, 404);
  });
});
