// The librarian's activity pages: forms with inline errors, publish, registration list with CSV
// export and check-in — all behind the staff policy.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testApp, type TestApp } from '../../../test/support/app.ts';
import { buildAccount, grantStaff, signIn } from '../../../test/support/auth.ts';
import { buildActivity, libraryId } from '../../../test/support/activities.ts';
import { parseSessions } from './activities.staff-pages.tsx';

let t: TestApp;
let utrecht: string;
before(async () => {
  t = await testApp();
  utrecht = await libraryId(t.db, 'utrecht');
});
after(async () => { await t.close(); });

const html = { accept: 'text/html' };
const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)![1]!;

async function staffSession(role: 'librarian' | 'desk' = 'librarian') {
  const p = await buildAccount(t);
  await grantStaff(t, p.id, 'utrecht', role);
  const cookies = await signIn(t, p.id);
  return {
    get: (url: string) => t.app.inject({ url, headers: html, cookies }),
    post: (url: string, form: Record<string, string | string[]>) => {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) params.append(k, x);
      return t.app.inject({ method: 'POST', url, cookies, headers: { ...html, 'content-type': 'application/x-www-form-urlencoded' }, payload: params.toString() });
    },
  };
}

describe('staff pages', () => {
  test('are refused to visitors (401) and to members without a staff role (403)', async () => {
    assert.equal((await t.app.inject({ url: '/utrecht/beheer/activiteiten', headers: html })).statusCode, 401);
    const p = await buildAccount(t);
    const res = await t.app.inject({ url: '/utrecht/beheer/activiteiten/nieuw', headers: html, cookies: await signIn(t, p.id) });
    assert.equal(res.statusCode, 403);
    assert.match(res.body, /theme\.css/);
  });

  test('a librarian creates an activity with the form; mistakes come back next to the fields', async () => {
    const s = await staffSession();
    const page = await s.get('/utrecht/beheer/activiteiten/nieuw');
    assert.equal(page.statusCode, 200);
    const bad = await s.post('/utrecht/beheer/activiteiten/nieuw', { _csrf: csrfOf(page.body), kind: 'event', title: 'X', sessions: '10 maart 19:30', price: 'gratis' });
    assert.equal(bad.statusCode, 422);
    for (const field of ['title', 'sessions', 'price', 'statutoryFunctions']) assert.match(bad.body, new RegExp(`id="${field}-error"`), field);
    assert.match(bad.body, /10 maart 19:30/, 'what was typed stays');
    const good = await s.post('/utrecht/beheer/activiteiten/nieuw', {
      _csrf: csrfOf(page.body), kind: 'course', title: 'Klik & Tik', statutoryFunctions: ['development_education', 'knowledge_information'],
      audience: ['seniors'], sessions: '2031-03-10 10:00-12:00\n2031-03-17 10:00-12:00', price: '2,50', capacity: '12', registrationRequired: 'yes', cutoffMinutes: '60',
    });
    assert.equal(good.statusCode, 303, good.body);
    const id = /activiteiten\/([0-9a-f-]{36})\/bewerken/.exec(good.headers.location as string)![1]!;
    const row = await t.db.kysely.selectFrom('activity').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.deepEqual([row.kind, row.priceCents, row.status, row.statutoryFunctions], ['course', 250, 'draft', ['development_education', 'knowledge_information']]);
    const edit = await s.get(good.headers.location as string);
    assert.match(edit.body, /Opgeslagen/);
    assert.match(edit.body, /2031-03-10 10:00-12:00\n2031-03-17 10:00-12:00/);

    const overview = await s.get('/utrecht/beheer/activiteiten');
    assert.match(overview.body, /Klik &amp; Tik/);
    const publish = await s.post(`/utrecht/beheer/activiteiten/${id}/status`, { _csrf: csrfOf(overview.body), status: 'published' });
    assert.equal(publish.statusCode, 303);
    assert.equal((await t.app.inject({ url: `/utrecht/activiteiten/${id}`, headers: html })).statusCode, 200);
  });

  test('a librarian links titles by pasting title page links; a line without one is named next to the field', async () => {
    const s = await staffSession();
    const page = await s.get('/utrecht/beheer/activiteiten/nieuw');
    const form = {
      _csrf: csrfOf(page.body), kind: 'event', title: 'Leesclub', statutoryFunctions: 'reading_literature',
      sessions: '2031-04-10 19:30-21:00', price: '0', capacity: '', cutoffMinutes: '0',
    };
    const bad = await s.post('/utrecht/beheer/activiteiten/nieuw', { ...form, relatedTitles: 'Max Havelaar' });
    assert.equal(bad.statusCode, 422);
    assert.match(bad.body, /id="relatedTitles-error"/);
    const id = '5d3c2b1a-0f9e-4d8c-b7a6-958473625140';
    const good = await s.post('/utrecht/beheer/activiteiten/nieuw', { ...form, relatedTitles: `http://localhost/utrecht/titels/${id}\n${id}` });
    assert.equal(good.statusCode, 303, good.body);
    const activityId = /activiteiten\/([0-9a-f-]{36})\/bewerken/.exec(good.headers.location as string)![1]!;
    const row = await t.db.kysely.selectFrom('activity').select('relatedTitleIds').where('id', '=', activityId).executeTakeFirstOrThrow();
    assert.deepEqual(row.relatedTitleIds, [id]);
    assert.match((await s.get(good.headers.location as string)).body, new RegExp(`<textarea[^>]*id="relatedTitles"[^>]*>${id}</textarea>`));
  });

  test('the registration list shows counts, exports CSV and checks people in, by button or by code', async () => {
    const { id } = await buildActivity(t.db, utrecht, { title: 'Inchecklijst' });
    const people = [await buildAccount(t), await buildAccount(t)];
    const regs = [];
    for (const p of people) {
      regs.push((await t.app.inject({ method: 'POST', url: `/api/v1/libraries/utrecht/activities/${id}/registrations`, cookies: await signIn(t, p.id), payload: {} })).json());
    }
    const desk = await staffSession('desk');
    const list = await desk.get(`/utrecht/beheer/activiteiten/${id}/aanmeldingen`);
    assert.equal(list.statusCode, 200);
    for (const p of people) assert.match(list.body, new RegExp(p.email.replace(/\./g, '\\.')));
    const byButton = await desk.post(`/utrecht/beheer/activiteiten/${id}/inchecken`, { _csrf: csrfOf(list.body), registrationId: regs[0].id });
    assert.equal(byButton.statusCode, 303);
    const { code } = await t.db.kysely.selectFrom('registration').select('code').where('id', '=', regs[1].id).executeTakeFirstOrThrow();
    const byCode = await desk.post(`/utrecht/beheer/activiteiten/${id}/inchecken`, { _csrf: csrfOf(list.body), code: ` ${code} ` });
    assert.equal(byCode.statusCode, 303);
    const wrong = await desk.post(`/utrecht/beheer/activiteiten/${id}/inchecken`, { _csrf: csrfOf(list.body), code: 'onbekend-code-123456' });
    assert.equal(wrong.statusCode, 404);
    assert.match(wrong.body, /eb-error-summary/);
    const after = await desk.get(`/utrecht/beheer/activiteiten/${id}/aanmeldingen?ingecheckt=1`);
    assert.match(after.body, /Ingecheckt\./);
    const counts = await t.db.kysely.selectFrom('activitySession').select('attended').where('activityId', '=', id).executeTakeFirstOrThrow();
    assert.equal(counts.attended, 2);
    const csv = await desk.get(`/utrecht/beheer/activiteiten/${id}/aanmeldingen.csv`);
    assert.match(csv.headers['content-type'] as string, /text\/csv/);
    assert.match(csv.body, /attended/);
  });
});

test('session lines are Amsterdam wall-clock times; an end past midnight is the next day', () => {
  const [a, b] = parseSessions('2026-07-01 19:30-21:00\n\n2026-12-31 22:00-01:00')!;
  assert.equal(a!.startsAt.toISOString(), '2026-07-01T17:30:00.000Z');
  assert.equal(b!.endsAt.toISOString(), '2027-01-01T00:00:00.000Z');
  assert.equal(parseSessions('morgen om acht'), null);
});
