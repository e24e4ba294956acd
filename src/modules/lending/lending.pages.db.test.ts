// The lending pages over HTTP without JavaScript: Mijn leningen (renew with the reason inline,
// digital reading links and early return, holds with pause and cancel, history and charges), the
// title page actions, the content stand-in, and the desk console (authorisation, audit, scans).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { testApp, type TestApp } from '../../../test/support/app.ts';
import { buildAccount, grantStaff, signIn } from '../../../test/support/auth.ts';
import { csrfOf, formBrowser } from '../../../test/support/form-browser.ts';
import { branchIdOf, buildMember, buildPool, buildTitleWithCopies, type TestMember } from '../../../test/support/lending.ts';
import { systemCtx } from '../../platform/context.ts';
import { inTenant } from '../../platform/db/tenant.ts';
import { checkOut, placeHold, type NoticeLibrary } from './index.ts';

let t: TestApp;
let lib: NoticeLibrary;
let centrum: { id: string; slug: string };
let other: { id: string; slug: string };
before(async () => {
  t = await testApp();
  const id = (await t.db.kysely.selectFrom('library').select('id').where('slug', '=', 'utrecht').executeTakeFirstOrThrow()).id;
  lib = { id, name: 'Bibliotheek Utrecht', url: 'http://localhost/utrecht/' };
  const branches = await inTenant(t.db.kysely, id, (tx) => tx.selectFrom('branch').select(['id', 'slug']).where('libraryId', '=', id).orderBy('slug').execute());
  centrum = branches[0]!; other = branches[1]!;
});
after(async () => { await t.close(); });

const ctx = () => systemCtx(t.db.kysely, t.config, 'test');
const DAY = 86_400_000;
const html = { accept: 'text/html' };


const browser = (initial: Record<string, string> = {}) => formBrowser(t, initial);

async function loanRow(loanId: string) {
  return inTenant(t.db.kysely, lib.id, (tx) => tx.selectFrom('loan').selectAll().where('libraryId', '=', lib.id).where('id', '=', loanId).executeTakeFirstOrThrow());
}

async function consent(m: TestMember, granted: boolean) {
  await inTenant(t.db.kysely, lib.id, (tx) => tx.insertInto('consent').values({ libraryId: lib.id, accountId: m.id, purpose: 'reading_history', granted }).execute());
}

describe('Mijn leningen', () => {
  test('signed out, the page sends you to sign in and back; a member of another library is told to use their own', async () => {
    const res = await t.app.inject({ url: '/utrecht/mijn/leningen', headers: html });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/utrecht/inloggen?terug=%2Futrecht%2Fmijn%2Fleningen');
    const login = await t.app.inject({ url: res.headers.location, headers: html });
    assert.match(login.body, /name="terug" value="\/utrecht\/mijn\/leningen"/);
    const amsterdammer = await buildMember(t, { librarySlug: 'amsterdam' });
    const wrong = await t.app.inject({ url: '/utrecht/mijn/leningen', headers: html, cookies: amsterdammer.cookies });
    assert.equal(wrong.statusCode, 422);
    assert.match(wrong.body, /U leent bij uw eigen bibliotheek/);
  });

  test('sign-in returns only to a page of the same portal', async () => {
    const b = browser();
    const page = await b.get('/utrecht/inloggen?terug=https://evil.example/');
    assert.doesNotMatch(page.body, /name="terug"/);
    const page2 = await b.get('/utrecht/inloggen?terug=//evil.example/x');
    assert.doesNotMatch(page2.body, /name="terug"/);
  });

  test('shows physical and digital loans together with due dates, overdue marking, holds, charges and no history without consent', async () => {
    const m = await buildMember(t);
    const { items: [a] } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { title: 'Te Laat Boek' });
    const { items: [b] } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { title: 'Op Tijd Boek' });
    await checkOut(ctx(), { library: lib, patron: { accountId: m.id }, barcode: a!.barcode, channel: 'desk', now: new Date(Date.now() - 25 * DAY) });
    await checkOut(ctx(), { library: lib, patron: { accountId: m.id }, barcode: b!.barcode, channel: 'desk' });
    const { titleId: ebook } = await buildPool(t.db.kysely, { model: 'one_copy_one_user', concurrency: 1 });
    const borrowed = await t.app.inject({ method: 'POST', url: '/api/v1/libraries/utrecht/digital-loans', cookies: m.cookies, payload: { titleId: ebook } });
    assert.equal(borrowed.statusCode, 201, borrowed.body);
    const { titleId: wanted } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { title: 'Gewild Boek' });
    await placeHold(ctx(), { library: lib, patron: { accountId: m.id }, titleId: wanted, pickupBranchId: other.id });
    await inTenant(t.db.kysely, lib.id, (tx) => tx.insertInto('charge').values({ libraryId: lib.id, accountId: m.id, kind: 'late_fee', amountCents: 175, description: 'Te laat: iets' }).execute());

    const page = await t.app.inject({ url: '/utrecht/mijn/leningen', headers: html, cookies: m.cookies });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h1 class="utrecht-heading-1">Mijn leningen<\/h1>/);
    assert.match(page.body, /Te Laat Boek[\s\S]*?te laat/);
    assert.match(page.body, /Op Tijd Boek/);
    assert.match(page.body, /\(digitaal\)/);
    assert.match(page.body, /\/mijn\/leningen\/[0-9a-f-]{36}\/lezen/);
    assert.match(page.body, /Gewild Boek[\s\S]*?Wacht op uw beurt/);
    assert.match(page.body, /Totaal[\s\S]*?1,75/);
    assert.match(page.body, /Alles verlengen/);
    assert.match(page.body, /href="\/utrecht\/mijn#consents"/, 'no history without consent: a link to the consent');
    // the portal's search completion is the only script (progressive enhancement); the page needs none
    assert.doesNotMatch(page.body, /<script(?! type="application\/ld\+json")(?! src="\/static\/search-completions\.js")/, 'no JavaScript needed');
    const english = await t.app.inject({ url: '/utrecht/mijn/leningen?lang=en', headers: html, cookies: m.cookies });
    assert.match(english.body, /My loans/);
    // the overview links here
    const mijn = await t.app.inject({ url: '/utrecht/mijn', headers: html, cookies: m.cookies });
    assert.match(mijn.body, /href="\/utrecht\/mijn\/leningen"/);
  });

  test('renew by form (PRG); a refusal shows its reason next to the loan; renew all reports each refusal inline', async () => {
    const m = await buildMember(t);
    const waiter = await buildMember(t);
    const { items: [a] } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { title: 'Verlengbaar' });
    const { titleId: held, items: [c] } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { title: 'Iemand Wacht' });
    const ok = await checkOut(ctx(), { library: lib, patron: { accountId: m.id }, barcode: a!.barcode, channel: 'desk', now: new Date(Date.now() - 10 * DAY) });
    const refused = await checkOut(ctx(), { library: lib, patron: { accountId: m.id }, barcode: c!.barcode, channel: 'desk' });
    await placeHold(ctx(), { library: lib, patron: { accountId: waiter.id }, titleId: held, pickupBranchId: centrum.id });
    const b = browser(m.cookies);

    const res = await b.submit('/utrecht/mijn/leningen', `/utrecht/mijn/leningen/${ok.loanId}/verlengen`);
    assert.equal(res.statusCode, 303);
    assert.match(res.headers.location as string, /\/utrecht\/mijn\/leningen\?bericht=verlengd/);
    assert.equal((await loanRow(ok.loanId)).renewals, 1);
    assert.match((await b.get(res.headers.location as string)).body, /Verlengd\./);

    const no = await b.submit('/utrecht/mijn/leningen', `/utrecht/mijn/leningen/${refused.loanId}/verlengen`);
    assert.equal(no.statusCode, 409);
    assert.match(no.body, new RegExp(`id="loan-${refused.loanId}-error">Verlengen kan niet: iemand anders wacht op deze titel\\.`));
    assert.equal((await loanRow(refused.loanId)).renewals, 0, 'nothing changed');

    const all = await b.submit('/utrecht/mijn/leningen', '/utrecht/mijn/leningen/verlengen');
    assert.equal(all.statusCode, 303);
    const after = await b.get(all.headers.location as string);
    assert.match(after.body, /1 verlengd\./);
    assert.match(after.body, new RegExp(`id="loan-${refused.loanId}-error">Verlengen kan niet: iemand anders wacht`));
    assert.equal((await loanRow(ok.loanId)).renewals, 2);

    // without the CSRF token nothing happens
    const forged = await b.post(`/utrecht/mijn/leningen/${ok.loanId}/verlengen`, {});
    assert.equal(forged.statusCode, 403);
    assert.equal((await loanRow(ok.loanId)).renewals, 2);
  });

  test('a digital loan opens through a fresh reading link; returning it early revokes the link (410)', async () => {
    const m = await buildMember(t);
    const { titleId } = await buildPool(t.db.kysely, { model: 'one_copy_one_user', concurrency: 1 });
    const loan = (await t.app.inject({ method: 'POST', url: '/api/v1/libraries/utrecht/digital-loans', cookies: m.cookies, payload: { titleId } })).json();
    const b = browser(m.cookies);
    const read = await b.get(`/utrecht/mijn/leningen/${loan.loanId}/lezen`);
    assert.equal(read.statusCode, 303);
    const link = new URL(read.headers.location as string);
    assert.match(link.pathname, /^\/inhoud\//);
    const reader = await t.app.inject({ url: link.pathname, headers: html });
    assert.equal(reader.statusCode, 200);
    assert.match(reader.body, /<h1 class="utrecht-heading-1">U leest nu: /);
    // another member cannot get a link to this loan
    const stranger = await buildMember(t);
    assert.equal((await t.app.inject({ url: `/utrecht/mijn/leningen/${loan.loanId}/lezen`, headers: html, cookies: stranger.cookies })).statusCode, 404);

    const back = await b.submit('/utrecht/mijn/leningen', `/utrecht/mijn/leningen/${loan.loanId}/inleveren`);
    assert.equal(back.statusCode, 303);
    assert.equal((await loanRow(loan.loanId)).status, 'returned');
    const gone = await t.app.inject({ url: link.pathname, headers: html });
    assert.equal(gone.statusCode, 410);
    assert.match(gone.body, /Deze leeslink is verlopen of ingetrokken/);
    assert.equal((await t.app.inject({ url: '/inhoud/rommel.rommel', headers: html })).statusCode, 410);
  });

  test('holds: pause keeps the place, resume, cancel; history appears with consent', async () => {
    const m = await buildMember(t);
    await consent(m, true);
    const { titleId, items: [copy] } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { title: 'Pauzeerbaar' });
    const first = await buildMember(t);
    await placeHold(ctx(), { library: lib, patron: { accountId: first.id }, titleId, pickupBranchId: centrum.id });
    const h = await placeHold(ctx(), { library: lib, patron: { accountId: m.id }, titleId, pickupBranchId: centrum.id });
    const b = browser(m.cookies);
    const page = await b.get('/utrecht/mijn/leningen');
    assert.match(page.body, new RegExp(`id="reservering-${h.holdId}"[\\s\\S]*?<td class="utrecht-table__cell">2</td>`), 'second in the queue');

    const pause = await b.submit('/utrecht/mijn/leningen', `/utrecht/mijn/reserveringen/${h.holdId}/pauzeren`, { pauze: 'ja' });
    assert.equal(pause.statusCode, 303);
    const paused = await b.get(pause.headers.location as string);
    assert.match(paused.body, /Gepauzeerd \(u houdt uw plaats\)/);
    assert.match(paused.body, /Hervatten/);
    const resume = await b.submit('/utrecht/mijn/leningen', `/utrecht/mijn/reserveringen/${h.holdId}/pauzeren`, { pauze: 'nee' });
    assert.match((await b.get(resume.headers.location as string)).body, /De reservering loopt weer/);
    const cancel = await b.submit('/utrecht/mijn/leningen', `/utrecht/mijn/reserveringen/${h.holdId}/annuleren`);
    assert.equal(cancel.statusCode, 303);
    const cancelled = await b.get(cancel.headers.location as string);
    assert.match(cancelled.body, /De reservering is geannuleerd/);
    assert.doesNotMatch(cancelled.body, /Pauzeerbaar/);
    // cancelling again: the reason inline, not a crash
    const again = await b.post(`/utrecht/mijn/reserveringen/${h.holdId}/annuleren`, { _csrf: csrfOf(page.body) });
    assert.equal(again.statusCode, 404);
    assert.match(again.body, /Deze reservering bestaat niet of is al afgesloten/);

    // a returned loan is history the member chose to keep
    await checkOut(ctx(), { library: lib, patron: { accountId: m.id }, barcode: copy!.barcode, channel: 'desk' }).catch(() => null);
    const { items: [x] } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { title: 'Gelezen Boek' });
    await checkOut(ctx(), { library: lib, patron: { accountId: m.id }, barcode: x!.barcode, channel: 'desk' });
    await t.app.inject({ method: 'POST', url: '/api/v1/libraries/utrecht/returns', cookies: (await deskStaff()).cookies, payload: { barcode: x!.barcode, branch: centrum.slug } });
    const withHistory = await b.get('/utrecht/mijn/leningen');
    assert.match(withHistory.body, /Leesgeschiedenis[\s\S]*Gelezen Boek/);
    assert.doesNotMatch(withHistory.body, /href="\/utrecht\/mijn#consents"/);
  });
});

async function deskStaff(slug = 'utrecht'): Promise<TestMember> {
  const s = await buildMember(t, { librarySlug: slug });
  await grantStaff(t, s.id, slug, 'desk');
  return s;
}

describe('title page actions', () => {
  test('signed out: a sign-in link that returns to the title; signing in goes back there', async () => {
    const { titleId } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { title: 'Terugkeer' });
    const page = await t.app.inject({ url: `/utrecht/titels/${titleId}`, headers: html });
    assert.equal(page.statusCode, 200);
    const href = `/utrecht/inloggen?terug=${encodeURIComponent(`/utrecht/titels/${titleId}`)}`;
    assert.ok(page.body.includes(`href="${href}"`), 'sign-in link back to the page');
    assert.doesNotMatch(page.body, /binnenkort via Mijn bibliotheek/);
    // a member with a password signs in through that link and lands on the title again
    const b = browser();
    const login = await b.get(href);
    const a = await buildAccount(t);
    await t.db.kysely.updateTable('account').set({ passwordHash: await (await import('../accounts/credentials.ts')).hashSecret('een lang genoeg wachtwoord') }).where('id', '=', a.id).execute();
    const res = await b.post('/utrecht/inloggen', { _csrf: csrfOf(login.body), method: 'email', email: a.email, password: 'een lang genoeg wachtwoord', terug: `/utrecht/titels/${titleId}` });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `/utrecht/titels/${titleId}`);
  });

  test('reserve with a chosen pickup branch (PRG), then the page shows the place in the queue; refusals inline', async () => {
    const m = await buildMember(t);
    const { titleId } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { title: 'Reserveerbaar' });
    const b = browser(m.cookies);
    const page = await b.get(`/utrecht/titels/${titleId}`);
    assert.match(page.body, /<h2 id="lenen" class="utrecht-heading-2">Reserveren en lenen<\/h2>/);
    assert.match(page.body, new RegExp(`<option value="${other.slug}"`));
    const res = await b.post(`/utrecht/titels/${titleId}/reserveren`, { _csrf: csrfOf(page.body), vestiging: other.slug, pagina: titleId });
    assert.equal(res.statusCode, 303);
    const after = await b.get(res.headers.location as string);
    assert.match(after.body, /Gereserveerd\./);
    assert.match(after.body, /u bent nummer 1 in de rij/);
    const holds = await inTenant(t.db.kysely, lib.id, (tx) => tx.selectFrom('hold').select(['pickupBranchId', 'status']).where('libraryId', '=', lib.id).where('accountId', '=', m.id).execute());
    assert.deepEqual(holds, [{ pickupBranchId: other.id, status: 'waiting' }]);
    // again: refused with the coded reason, nothing added
    const again = await b.post(`/utrecht/titels/${titleId}/reserveren`, { _csrf: csrfOf(page.body), vestiging: other.slug, pagina: titleId });
    assert.match(again.headers.location as string, /fout=LENDING_HOLD_EXISTS/);
    assert.match((await b.get(again.headers.location as string)).body, /U heeft deze titel al gereserveerd\./);
    const badBranch = await b.post(`/utrecht/titels/${titleId}/reserveren`, { _csrf: csrfOf(page.body), vestiging: 'nergens', pagina: titleId });
    assert.match((await b.get(badBranch.headers.location as string)).body, /Deze vestiging hoort niet bij deze bibliotheek/);
  });

  test('no reserve form where the library has no copies', async () => {
    const m = await buildMember(t);
    const { titleId } = await buildTitleWithCopies(t.db.kysely, 'amsterdam', 1, { title: 'Alleen Amsterdam' });
    const page = await t.app.inject({ url: `/utrecht/titels/${titleId}`, headers: html, cookies: m.cookies });
    assert.doesNotMatch(page.body, /\/reserveren"/);
  });

  test('borrow digitally: a loan with a reading link; when no licence is free, the queue with position, wait and automatic borrowing', async () => {
    const first = await buildMember(t);
    const second = await buildMember(t);
    const { titleId } = await buildPool(t.db.kysely, { model: 'one_copy_one_user', concurrency: 1 });
    const b1 = browser(first.cookies);
    const p1 = await b1.get(`/utrecht/titels/${titleId}`);
    assert.match(p1.body, /Er is nu een licentie vrij/);
    const r1 = await b1.post(`/utrecht/titels/${titleId}/digitaal-lenen`, { _csrf: csrfOf(p1.body), pagina: titleId });
    assert.equal(r1.statusCode, 303);
    const a1 = await b1.get(r1.headers.location as string);
    assert.match(a1.body, /Geleend\./);
    assert.match(a1.body, /href="\/utrecht\/mijn\/leningen\/[0-9a-f-]{36}\/lezen">Nu lezen/);

    const b2 = browser(second.cookies);
    const p2 = await b2.get(`/utrecht/titels/${titleId}`);
    assert.match(p2.body, /Alle licenties zijn uitgeleend/);
    assert.match(p2.body, /U komt op plaats 1; geschatte wachttijd ongeveer \d+ dagen/);
    assert.match(p2.body, /name="automatisch" value="ja"/);
    const r2 = await b2.post(`/utrecht/titels/${titleId}/digitaal-lenen`, { _csrf: csrfOf(p2.body), pagina: titleId, automatisch: 'ja' });
    const a2 = await b2.get(r2.headers.location as string);
    assert.match(a2.body, /U staat in de wachtrij: nummer 1/);
    assert.match(a2.body, /U leent automatisch zodra u aan de beurt bent/);
    const hold = await inTenant(t.db.kysely, lib.id, (tx) => tx.selectFrom('hold').select(['autoCheckout', 'status']).where('libraryId', '=', lib.id).where('accountId', '=', second.id).executeTakeFirstOrThrow());
    assert.deepEqual(hold, { autoCheckout: true, status: 'waiting' });
  });
});

describe('desk console', () => {
  test('members cannot open it, desk staff of another library cannot, signed-out staff are sent to sign in', async () => {
    const m = await buildMember(t);
    for (const path of ['', '/innemen', '/lid', '/reserveringsplank', '/onderweg', '/ophaallijst']) {
      assert.equal((await t.app.inject({ url: `/utrecht/beheer/balie${path}`, headers: html, cookies: m.cookies })).statusCode, 403, path);
    }
    const amsterdam = await deskStaff('amsterdam');
    assert.equal((await t.app.inject({ url: '/utrecht/beheer/balie', headers: html, cookies: amsterdam.cookies })).statusCode, 403);
    const { items: [copy] } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1);
    const forged = browser(amsterdam.cookies);
    const own = await forged.get('/amsterdam/beheer/balie/innemen');
    assert.equal(own.statusCode, 200);
    const post = await forged.post('/utrecht/beheer/balie/innemen', { _csrf: csrfOf(own.body), streepjescode: copy!.barcode, vestiging: centrum.slug });
    assert.equal(post.statusCode, 403);
    const out = await t.app.inject({ url: '/utrecht/beheer/balie', headers: html });
    assert.equal(out.statusCode, 303);
    assert.match(out.headers.location as string, /\/utrecht\/inloggen\?terug=/);
  });

  test('check out: card, then barcodes; each lookup is audited; errors inline at the barcode field with the focus there', async () => {
    const staff = await deskStaff();
    const m = await buildMember(t);
    const { items: [a, b2] } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 2, { title: 'Balieboek' });
    const audits = async () => Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_event WHERE action = 'lending.member_viewed' AND subject_account_id = ${m.id}`.execute(t.db.kysely)).rows[0]!.n);
    const before = await audits();
    const b = browser(staff.cookies);
    const start = await b.get('/utrecht/beheer/balie');
    assert.equal(start.statusCode, 200);
    assert.match(start.body, /id="pas"[^>]*autofocus/);
    const member = await b.get(`/utrecht/beheer/balie?vestiging=${centrum.slug}&pas=${m.cardNumber}`);
    assert.equal(member.statusCode, 200);
    assert.match(member.body, /Test Lid/);
    assert.match(member.body, /id="streepjescode"[^>]*autofocus/);
    assert.doesNotMatch(member.body, /id="pas"[^>]*autofocus/);
    assert.equal(await audits(), before + 1, 'the lookup is audited');

    const res = await b.post('/utrecht/beheer/balie/uitlenen', { _csrf: csrfOf(member.body), vestiging: centrum.slug, pas: m.cardNumber, streepjescode: a!.barcode });
    assert.equal(res.statusCode, 303);
    const done = await b.get(res.headers.location as string);
    assert.match(done.body, /Uitgeleend: Balieboek/);
    assert.match(done.body, new RegExp(`<td class="utrecht-table__cell">${a!.barcode}</td>`));
    assert.match(done.body, /id="streepjescode"[^>]*autofocus/);

    const twice = await b.post('/utrecht/beheer/balie/uitlenen', { _csrf: csrfOf(member.body), vestiging: centrum.slug, pas: m.cardNumber, streepjescode: a!.barcode });
    assert.equal(twice.statusCode, 409);
    assert.match(twice.body, /id="streepjescode-error">Dit exemplaar is al uitgeleend/);
    assert.match(twice.body, /id="streepjescode"[^>]*autofocus/);
    const unknown = await b.post('/utrecht/beheer/balie/uitlenen', { _csrf: csrfOf(member.body), vestiging: centrum.slug, pas: m.cardNumber, streepjescode: '00000000000' });
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.body, /id="streepjescode-error">Dit exemplaar \(streepjescode\) kennen we niet/);
    const badCard = await b.get('/utrecht/beheer/balie?pas=12345678901234');
    assert.equal(badCard.statusCode, 404);
    assert.match(badCard.body, /id="pas-error">Er is geen actief lidmaatschap/);
    assert.ok(b2);
  });

  test('check in says where the copy goes: shelf, transit, or the hold shelf for a card; with the late fee', async () => {
    const staff = await deskStaff();
    const m = await buildMember(t);
    const waiter = await buildMember(t);
    const { items: [late] } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { title: 'Laat Terug', branches: [centrum.slug] });
    const { titleId: held, items: [wanted] } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { title: 'Voor De Plank', branches: [centrum.slug] });
    const { items: [away] } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { title: 'Naar Huis', branches: [other.slug] });
    await checkOut(ctx(), { library: lib, patron: { accountId: m.id }, barcode: late!.barcode, channel: 'desk', now: new Date(Date.now() - 25 * DAY) });
    await placeHold(ctx(), { library: lib, patron: { accountId: waiter.id }, titleId: held, pickupBranchId: centrum.id });
    const b = browser(staff.cookies);
    const page = await b.get(`/utrecht/beheer/balie/innemen?vestiging=${centrum.slug}`);
    assert.match(page.body, /id="streepjescode"[^>]*autofocus/);
    const scan = async (barcode: string) => {
      const r = await b.post('/utrecht/beheer/balie/innemen', { _csrf: csrfOf(page.body), vestiging: centrum.slug, streepjescode: barcode });
      assert.equal(r.statusCode, 303, r.body);
      return (await b.get(r.headers.location as string)).body;
    };
    const shelf = await scan(late!.barcode);
    assert.match(shelf, /Laat Terug/);
    assert.match(shelf, /Terugzetten in de kast/);
    assert.match(shelf, /4 dagen te laat; boete €\s1,00/);
    const holdShelf = await scan(wanted!.barcode);
    assert.match(holdShelf, new RegExp(`Op de reserveringsplank leggen voor pas ${waiter.cardNumber}`));
    const transit = await scan(away!.barcode);
    assert.match(transit, /In transport naar /);
    const unknown = await b.post('/utrecht/beheer/balie/innemen', { _csrf: csrfOf(page.body), vestiging: centrum.slug, streepjescode: 'abc' });
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.body, /id="streepjescode-error"/);

    // the lists
    const shelfList = await b.get(`/utrecht/beheer/balie/reserveringsplank?vestiging=${centrum.slug}`);
    assert.match(shelfList.body, /Voor De Plank/);
    assert.match(shelfList.body, new RegExp(waiter.cardNumber));
    const transitList = await b.get(`/utrecht/beheer/balie/onderweg?vestiging=${centrum.slug}`);
    assert.match(transitList.body, /Naar Huis/);
    const { titleId: pull } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { title: 'Uit De Kast', branches: [centrum.slug] });
    await placeHold(ctx(), { library: lib, patron: { accountId: m.id }, titleId: pull, pickupBranchId: other.id });
    const pullList = await b.get(`/utrecht/beheer/balie/ophaallijst?vestiging=${centrum.slug}`);
    assert.match(pullList.body, /Uit De Kast/);
  });

  test('member lookup: loans, holds, charges and blocks with the reason; pay, renew, lost and damaged', async () => {
    const staff = await deskStaff();
    const m = await buildMember(t);
    const { items: [lost, kept] } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 2, { title: 'Zoekgeraakt' });
    const lostLoan = await checkOut(ctx(), { library: lib, patron: { accountId: m.id }, barcode: lost!.barcode, channel: 'desk' });
    const keptLoan = await checkOut(ctx(), { library: lib, patron: { accountId: m.id }, barcode: kept!.barcode, channel: 'desk' });
    await inTenant(t.db.kysely, lib.id, (tx) => tx.insertInto('charge').values({ libraryId: lib.id, accountId: m.id, kind: 'late_fee', amountCents: 1500, description: 'Te laat: oud' }).execute());
    const b = browser(staff.cookies);
    const page = await b.get(`/utrecht/beheer/balie/lid?vestiging=${centrum.slug}&pas=${m.cardNumber}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Geblokkeerd: Lenen kan nu niet: er staat €\s15,00 open/);
    assert.match(page.body, /Totaal open: €\s15,00/);

    const renewed = await b.post('/utrecht/beheer/balie/verlengen', { _csrf: csrfOf(page.body), vestiging: centrum.slug, pas: m.cardNumber, lening: keptLoan.loanId });
    assert.equal(renewed.statusCode, 409, 'blocked members are not renewed');
    assert.match(renewed.body, new RegExp(`id="lening-${keptLoan.loanId}-error">Lenen kan nu niet`));

    const badPay = await b.post('/utrecht/beheer/balie/betalen', { _csrf: csrfOf(page.body), vestiging: centrum.slug, pas: m.cardNumber, bedrag: 'veel' });
    assert.equal(badPay.statusCode, 422);
    assert.match(badPay.body, /id="bedrag-error">Vul een bedrag in euro in/);
    const pay = await b.post('/utrecht/beheer/balie/betalen', { _csrf: csrfOf(page.body), vestiging: centrum.slug, pas: m.cardNumber, bedrag: '15,00' });
    assert.equal(pay.statusCode, 303);
    const paid = await b.get(pay.headers.location as string);
    assert.match(paid.body, /Betaald: €\s15,00/);
    assert.match(paid.body, /Mag lenen/);

    const lostRes = await b.post('/utrecht/beheer/balie/kwijt', { _csrf: csrfOf(page.body), vestiging: centrum.slug, pas: m.cardNumber, streepjescode: lost!.barcode, kosten: '12,50' });
    assert.equal(lostRes.statusCode, 303);
    assert.equal((await loanRow(lostLoan.loanId)).status, 'lost');
    assert.match((await b.get(lostRes.headers.location as string)).body, /Kwijt: Zoekgeraakt: €\s12,50/);

    const inPage = await b.get(`/utrecht/beheer/balie/innemen?vestiging=${centrum.slug}`);
    await b.post('/utrecht/beheer/balie/innemen', { _csrf: csrfOf(inPage.body), vestiging: centrum.slug, streepjescode: kept!.barcode });
    const damaged = await b.post('/utrecht/beheer/balie/beschadigd', { _csrf: csrfOf(inPage.body), vestiging: centrum.slug, beschadigd_streepjescode: kept!.barcode, beschadigd_kosten: '', beschadigd_pas: '' });
    assert.equal(damaged.statusCode, 303);
    const item = await inTenant(t.db.kysely, lib.id, (tx) => tx.selectFrom('item').select('status').where('libraryId', '=', lib.id).where('barcode', '=', kept!.barcode).executeTakeFirstOrThrow());
    assert.equal(item.status, 'in_processing');
    const badFee = await b.post('/utrecht/beheer/balie/beschadigd', { _csrf: csrfOf(inPage.body), vestiging: centrum.slug, beschadigd_streepjescode: kept!.barcode, beschadigd_kosten: 'x' });
    assert.equal(badFee.statusCode, 422);
    assert.match(badFee.body, /id="beschadigd_kosten-error"/);
  });
});

describe('demo member', () => {
  test('is signed up and borrows through the real services, once', async () => {
    const { ensureDemoMember } = await import('../membership/staff-admin.ts');
    const { seedDemoMember } = await import('./index.ts');
    // the demo network marker (the demo desk account) and copies to borrow
    await (await import('../membership/staff-admin.ts')).seedDemoStaff(t.db.kysely);
    await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { title: 'Demo Een' });
    await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { title: 'Demo Twee' });
    await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { title: 'Demo Drie' });
    await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { title: 'Demo Vier' });
    await buildPool(t.db.kysely, { model: 'one_copy_one_user', concurrency: 1 });
    const member = await ensureDemoMember(t.db.kysely, t.config);
    assert.ok(member);
    const r = await seedDemoMember(t.db.kysely, t.config, member);
    assert.deepEqual(r, { loans: 3, holds: 1 });
    assert.equal(await ensureDemoMember(t.db.kysely, t.config), null, 'not twice');
    const b = browser(await signIn(t, member.accountId));
    const page = await b.get('/utrecht/mijn/leningen');
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /Lenen kan nu niet/, 'the yearly fee is paid');
    assert.match(page.body, /Leesgeschiedenis[\s\S]*<li class="utrecht-unordered-list__item">/, 'the late return is history (consent given)');
    assert.match(page.body, /Totaal[\s\S]*€/, 'the late fee is a charge');
  });
});
