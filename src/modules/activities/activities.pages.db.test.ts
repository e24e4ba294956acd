// The activity pages over HTTP: the agenda with filters (no JavaScript), the activity page with
// schema.org JSON-LD, and registration/cancellation as POST-redirect-GET forms with CSRF.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testApp, type TestApp } from '../../../test/support/app.ts';
import { buildAccount, grantStaff, signIn } from '../../../test/support/auth.ts';
import { csrfOf, formBrowser } from '../../../test/support/form-browser.ts';
import { buildActivity, libraryId } from '../../../test/support/activities.ts';

let t: TestApp;
let utrecht: string;
before(async () => {
  t = await testApp();
  utrecht = await libraryId(t.db, 'utrecht');
});
after(async () => { await t.close(); });

const html = { accept: 'text/html' };

function jsonLd(body: string): Record<string, unknown> {
  const m = /<script type="application\/ld\+json">(.*?)<\/script>/s.exec(body);
  assert.ok(m, 'JSON-LD present');
  return JSON.parse(m[1]!);
}

const browser = (initial: Record<string, string> = {}) => formBrowser(t, initial);

describe('the agenda page', () => {
  test('replaces the placeholder, lists published activities and filters with a plain GET form', async () => {
    await buildActivity(t.db, utrecht, { title: 'Agenda Kinderboekenweek', audience: ['children'], statutoryFunctions: ['reading_literature'] });
    await buildActivity(t.db, utrecht, { title: 'Agenda Debatavond', audience: ['adults'], statutoryFunctions: ['meeting_debate'] });
    await buildActivity(t.db, utrecht, { title: 'Agenda Concept', status: 'draft' });
    const page = await t.app.inject({ url: '/utrecht/activiteiten', headers: html });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h1 class="utrecht-heading-1">Activiteiten<\/h1>/);
    assert.match(page.body, /Agenda Kinderboekenweek/);
    assert.match(page.body, /Agenda Debatavond/);
    assert.doesNotMatch(page.body, /Agenda Concept/);
    assert.match(page.body, /aria-current="page"[^>]*>Activiteiten|href="\/utrecht\/activiteiten" aria-current="page"/);
    assert.match(page.body, /<form class="eb-filters" method="get"/);
    // no JavaScript needed: data (JSON-LD) and the search box's optional completions are the only scripts
    assert.doesNotMatch(page.body, /<script(?! type="application\/ld\+json")(?! src="\/static\/search-completions\.js" defer>)/, 'no JavaScript needed');
    const filtered = await t.app.inject({ url: '/utrecht/activiteiten?function=meeting_debate&audience=&branch=', headers: html });
    assert.match(filtered.body, /Agenda Debatavond/);
    assert.doesNotMatch(filtered.body, /Agenda Kinderboekenweek/);
    assert.match(filtered.body, /<option value="meeting_debate" selected/);
    const english = await t.app.inject({ url: '/utrecht/activiteiten?lang=en', headers: html });
    assert.match(english.body, /Filter the calendar/);
    // nonsense filters are ignored, not an error
    assert.equal((await t.app.inject({ url: '/utrecht/activiteiten?function=%3Cscript%3E&from=gisteren', headers: html })).statusCode, 200);
  });
});

describe('the activity page', () => {
  test('has one h1 and schema.org Event JSON-LD with place, dates, offer and organiser', async () => {
    const { id } = await buildActivity(t.db, utrecht, { title: 'Lezing over </script> en meer', priceCents: 350, partner: 'Volksuniversiteit' });
    const res = await t.app.inject({ url: `/utrecht/activiteiten/${id}`, headers: html });
    assert.equal(res.statusCode, 200);
    assert.equal((res.body.match(/<h1/g) ?? []).length, 1);
    const ld = jsonLd(res.body);
    assert.equal(ld['@type'], 'Event');
    assert.equal(ld.name, 'Lezing over </script> en meer');
    assert.equal((ld.offers as { price: string }).price, '3.50');
    assert.equal((ld.organizer as { name: string }).name, 'Bibliotheek Utrecht');
    assert.match(String(ld.startDate), /^\d{4}-\d\d-\d\dT/);
    assert.equal(ld.eventAttendanceMode, 'https://schema.org/OfflineEventAttendanceMode');
    assert.match(res.body, /€\s?3,50/);
  });

  test('an unknown or draft activity is a 404 in the library brand', async () => {
    const draft = await buildActivity(t.db, utrecht, { status: 'draft' });
    for (const url of [`/utrecht/activiteiten/${draft.id}`, '/utrecht/activiteiten/00000000-0000-4000-8000-000000000000', '/utrecht/activiteiten/nope']) {
      const res = await t.app.inject({ url, headers: html });
      assert.equal(res.statusCode, 404, url);
      assert.match(res.body, /theme\.css/);
    }
  });
});

describe('registration forms', () => {
  test('a guest registers with e-mail and consent: POST, 303 redirect, confirmation on the page', async () => {
    const { id } = await buildActivity(t.db, utrecht, { title: 'Formulier gast' });
    const b = browser();
    const page = await b.get(`/utrecht/activiteiten/${id}`);
    assert.match(page.body, /name="email"/);
    const res = await b.post(`/utrecht/activiteiten/${id}/aanmelden`, { _csrf: csrfOf(page.body), email: 'formgast@example.org', consent: 'yes' });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `/utrecht/activiteiten/${id}?aanmelding=confirmed`);
    const after = await b.get(res.headers.location as string);
    assert.match(after.body, /role="status"[^>]*><p class="utrecht-paragraph">U bent aangemeld/);
  });

  test('mistakes are shown next to the fields, keeping what was typed', async () => {
    const { id } = await buildActivity(t.db, utrecht);
    const b = browser();
    const page = await b.get(`/utrecht/activiteiten/${id}`);
    const res = await b.post(`/utrecht/activiteiten/${id}/aanmelden`, { _csrf: csrfOf(page.body), email: 'geen-adres' });
    assert.equal(res.statusCode, 422);
    assert.match(res.body, /id="email-error"[^>]*>Vul een geldig e-mailadres in/);
    assert.match(res.body, /value="geen-adres"/);
    assert.match(res.body, /aria-invalid="true"/);
    assert.match(res.body, /class="eb-error-summary" role="alert"/);
    const noConsent = await b.post(`/utrecht/activiteiten/${id}/aanmelden`, { _csrf: csrfOf(page.body), email: 'ok.adres@example.org' });
    assert.equal(noConsent.statusCode, 422);
    assert.match(noConsent.body, /id="consent-error"/);
  });

  test('a form without the CSRF token is refused', async () => {
    const { id } = await buildActivity(t.db, utrecht);
    const b = browser();
    await b.get(`/utrecht/activiteiten/${id}`);
    const res = await b.post(`/utrecht/activiteiten/${id}/aanmelden`, { email: 'csrf@example.org', consent: 'yes' });
    assert.equal(res.statusCode, 403);
    assert.equal(await t.db.kysely.selectFrom('account').select('id').where('email', '=', 'csrf@example.org').executeTakeFirst(), undefined);
  });

  test('a member registers on a full activity, sees the waitlist place, and cancels; the first in line moves up', async () => {
    const { id } = await buildActivity(t.db, utrecht, { capacity: 1, title: 'Vol formulier' });
    const first = await buildAccount(t);
    const second = await buildAccount(t);
    const a = browser(await signIn(t, first.id));
    const b = browser(await signIn(t, second.id));
    const pa = await a.get(`/utrecht/activiteiten/${id}`);
    assert.doesNotMatch(pa.body, /name="email"/, 'a signed-in member is not asked for an e-mail address');
    assert.equal((await a.post(`/utrecht/activiteiten/${id}/aanmelden`, { _csrf: csrfOf(pa.body) })).statusCode, 303);
    const pb = await b.get(`/utrecht/activiteiten/${id}`);
    const rb = await b.post(`/utrecht/activiteiten/${id}/aanmelden`, { _csrf: csrfOf(pb.body) });
    assert.equal(rb.headers.location, `/utrecht/activiteiten/${id}?aanmelding=waitlisted&plaats=1`);
    assert.match((await b.get(rb.headers.location as string)).body, /wachtlijst op plaats 1/);

    const mine = await a.get(`/utrecht/activiteiten/${id}`);
    const reg = /name="registrationId" value="([^"]+)"/.exec(mine.body)![1]!;
    const cancel = await a.post(`/utrecht/activiteiten/${id}/afmelden`, { _csrf: csrfOf(mine.body), registrationId: reg });
    assert.equal(cancel.statusCode, 303);
    assert.match((await a.get(cancel.headers.location as string)).body, /U bent afgemeld/);
    assert.match((await b.get(`/utrecht/activiteiten/${id}`)).body, /U bent aangemeld\./);
  });

  test('registering twice on the page gives a clear message, not an error page', async () => {
    const { id } = await buildActivity(t.db, utrecht);
    const p = await buildAccount(t);
    const b = browser(await signIn(t, p.id));
    const page = await b.get(`/utrecht/activiteiten/${id}`);
    await b.post(`/utrecht/activiteiten/${id}/aanmelden`, { _csrf: csrfOf(page.body) });
    const again = await b.post(`/utrecht/activiteiten/${id}/aanmelden`, { _csrf: csrfOf(page.body) });
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /U bent al aangemeld/);
  });

  test("a guest's cancel link shows a button (a GET never cancels) and the POST cancels", async () => {
    const { id } = await buildActivity(t.db, utrecht);
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/libraries/utrecht/activities/${id}/registrations`, payload: { email: 'linkgast@example.org', consent: true } });
    const regId = res.json().id;
    const { code } = await t.db.kysely.selectFrom('registration').select('code').where('id', '=', regId).executeTakeFirstOrThrow();
    const b = browser();
    const page = await b.get(`/utrecht/activiteiten/${id}/afmelden?r=${regId}&code=${code}`);
    assert.equal(page.statusCode, 200);
    const still = await t.db.kysely.selectFrom('registration').select('status').where('id', '=', regId).executeTakeFirstOrThrow();
    assert.equal(still.status, 'confirmed');
    const done = await b.post(`/utrecht/activiteiten/${id}/afmelden`, { _csrf: csrfOf(page.body), registrationId: regId, code });
    assert.equal(done.statusCode, 303);
    const gone = await t.db.kysely.selectFrom('registration').select('status').where('id', '=', regId).executeTakeFirstOrThrow();
    assert.equal(gone.status, 'cancelled');
  });

  test('staff see a link to the activity management from the agenda', async () => {
    const p = await buildAccount(t);
    await grantStaff(t, p.id, 'utrecht', 'librarian');
    const b = browser(await signIn(t, p.id));
    assert.match((await b.get('/utrecht/activiteiten')).body, /href="\/utrecht\/beheer\/activiteiten"/);
    assert.doesNotMatch((await t.app.inject({ url: '/utrecht/activiteiten', headers: html })).body, /beheer\/activiteiten/);
  });
});

describe('my activities page', () => {
  test('lists registrations with a cancel button that comes back to the list', async () => {
    const p = await buildAccount(t);
    const b = browser(await signIn(t, p.id));
    const { id } = await buildActivity(t.db, utrecht, { title: 'Op mijn lijst' });
    const detail = await b.get(`/utrecht/activiteiten/${id}`);
    await b.post(`/utrecht/activiteiten/${id}/aanmelden`, { _csrf: csrfOf(detail.body) });
    const mine = await b.get('/utrecht/mijn/activiteiten');
    assert.equal(mine.statusCode, 200);
    assert.match(mine.body, /Op mijn lijst/);
    const reg = /name="registrationId" value="([^"]+)"/.exec(mine.body)![1]!;
    const res = await b.post(`/utrecht/activiteiten/${id}/afmelden`, { _csrf: csrfOf(mine.body), registrationId: reg, terug: 'mijn' });
    assert.equal(res.headers.location, '/utrecht/mijn/activiteiten?afgemeld=1');
    assert.doesNotMatch((await b.get('/utrecht/mijn/activiteiten')).body, /Op mijn lijst/);
    assert.equal((await t.app.inject({ url: '/utrecht/mijn/activiteiten', headers: html })).statusCode, 401);
  });
});
