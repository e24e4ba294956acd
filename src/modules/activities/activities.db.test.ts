// Activities over the API (app.inject) on a real database: the agenda and its filters,
// registration with waitlist and promotion, the coded refusals, and the librarian's tools.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { testApp, type TestApp } from '../../../test/support/app.ts';
import { buildAccount, grantStaff, signIn } from '../../../test/support/auth.ts';
import { buildActivity, libraryId } from '../../../test/support/activities.ts';
import { inTenant } from '../../platform/db/tenant.ts';
import { anonymiseRegistrations } from './activities.service.ts';

let t: TestApp;
let utrecht: string;
before(async () => {
  t = await testApp();
  utrecht = await libraryId(t.db, 'utrecht');
});
after(async () => { await t.close(); });

const api = (path: string) => `/api/v1/libraries/utrecht/activities${path}`;

async function member(slug = 'utrecht') {
  const a = await buildAccount(t, { librarySlug: slug });
  return { ...a, cookies: await signIn(t, a.id) };
}

async function librarian(slug = 'utrecht') {
  const a = await member(slug);
  await grantStaff(t, a.id, slug, 'librarian');
  return a;
}

async function sessionCounts(sessionId: string) {
  return t.db.kysely.selectFrom('activitySession').select(['seatsTaken', 'waitlisted', 'attended', 'cancelled', 'registeredTotal'])
    .where('id', '=', sessionId).executeTakeFirstOrThrow();
}

describe('registration', () => {
  test('members get a seat while there is one, then a waitlist position; a cancellation promotes the first in line with a notice', async () => {
    const { id, sessionIds: [sessionId] } = await buildActivity(t.db, utrecht, { capacity: 2, title: 'Taalcafé' });
    const people = [await member(), await member(), await member(), await member()];
    const answers = [];
    for (const p of people) {
      const res = await t.app.inject({ method: 'POST', url: api(`/${id}/registrations`), cookies: p.cookies, payload: {} });
      assert.equal(res.statusCode, 201, res.body);
      answers.push(res.json());
    }
    assert.deepEqual(answers.map((a) => [a.status, a.position]), [['confirmed', undefined], ['confirmed', undefined], ['waitlisted', 1], ['waitlisted', 2]]);
    assert.deepEqual(await sessionCounts(sessionId!), { seatsTaken: 2, waitlisted: 2, attended: 0, cancelled: 0, registeredTotal: 4 });

    const cancel = await t.app.inject({ method: 'DELETE', url: api(`/${id}/registrations/${answers[0].id}`), cookies: people[0]!.cookies });
    assert.equal(cancel.statusCode, 200, cancel.body);
    assert.deepEqual(cancel.json(), { status: 'cancelled', promoted: 1 });
    const third = (await t.app.inject({ url: api(`/${id}`), cookies: people[2]!.cookies })).json();
    assert.equal(third.myRegistrations[0].status, 'confirmed');
    const fourth = (await t.app.inject({ url: api(`/${id}`), cookies: people[3]!.cookies })).json();
    assert.deepEqual([fourth.myRegistrations[0].status, fourth.myRegistrations[0].position], ['waitlisted', 1]);
    const notice = await t.db.kysely.selectFrom('notice').select(['template', 'toAddress', 'subject']).where('accountId', '=', people[2]!.id)
      .where('template', '=', 'activity_promoted').executeTakeFirst();
    assert.equal(notice?.toAddress, people[2]!.email);
    assert.match(notice!.subject, /Taalcafé/);
  });

  test('leaving the waitlist closes the gap: positions stay 1..n', async () => {
    const { id, sessionIds: [sessionId] } = await buildActivity(t.db, utrecht, { capacity: 1 });
    const people = [await member(), await member(), await member(), await member()];
    const regs = [];
    for (const p of people) regs.push((await t.app.inject({ method: 'POST', url: api(`/${id}/registrations`), cookies: p.cookies, payload: {} })).json());
    await t.app.inject({ method: 'DELETE', url: api(`/${id}/registrations/${regs[1].id}`), cookies: people[1]!.cookies });
    const rows = await t.db.kysely.selectFrom('registration').select(['id', 'waitlistPosition']).where('sessionId', '=', sessionId!)
      .where('status', '=', 'waitlisted').orderBy('waitlistPosition').execute();
    assert.deepEqual(rows.map((r) => [r.id, r.waitlistPosition]), [[regs[2].id, 1], [regs[3].id, 2]]);
  });

  test('a guest with only an e-mail address becomes a connected user of the organising library', async () => {
    const { id } = await buildActivity(t.db, utrecht);
    const res = await t.app.inject({ method: 'POST', url: api(`/${id}/registrations`), payload: { email: '  Gast.Persoon@Example.org ', consent: true } });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().status, 'confirmed');
    const account = await t.db.kysely.selectFrom('account').selectAll().where('email', '=', 'gast.persoon@example.org').executeTakeFirstOrThrow();
    assert.equal(account.homeLibraryId, utrecht);
    assert.equal(account.passwordHash, null);
    const reg = await t.db.kysely.selectFrom('registration').select(['guestConsentAt', 'accountId']).where('id', '=', res.json().id).executeTakeFirstOrThrow();
    assert.equal(reg.accountId, account.id);
    assert.ok(reg.guestConsentAt);
    // the same address again is "already registered", not a second account
    const again = await t.app.inject({ method: 'POST', url: api(`/${id}/registrations`), payload: { email: 'gast.persoon@example.org', consent: true } });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().code, 'ACTIVITIES_ALREADY_REGISTERED');
  });

  test('a guest cancels with the code from the confirmation mail; a wrong code learns nothing', async () => {
    const { id } = await buildActivity(t.db, utrecht);
    const res = await t.app.inject({ method: 'POST', url: api(`/${id}/registrations`), payload: { email: 'codegast@example.org', consent: true } });
    const reg = await t.db.kysely.selectFrom('registration').select('code').where('id', '=', res.json().id).executeTakeFirstOrThrow();
    const notice = await t.db.kysely.selectFrom('notice').select('bodyText').where('toAddress', '=', 'codegast@example.org').executeTakeFirstOrThrow();
    assert.ok(notice.bodyText.includes(reg.code), 'the confirmation carries the code');
    const wrong = await t.app.inject({ method: 'DELETE', url: api(`/${id}/registrations/${res.json().id}`), headers: { 'registration-code': 'x'.repeat(24) } });
    assert.equal(wrong.statusCode, 404);
    const right = await t.app.inject({ method: 'DELETE', url: api(`/${id}/registrations/${res.json().id}`), headers: { 'registration-code': reg.code } });
    assert.equal(right.statusCode, 200);
  });

  test('bad input gets coded refusals: twice, cancelled activity, capacity 0, walk-in, after the cut-off, bad e-mail, no consent', async () => {
    const p = await member();
    const post = (id: string, payload: object = {}, cookies: Record<string, string> | undefined = p.cookies) =>
      t.app.inject({ method: 'POST', url: api(`/${id}/registrations`), cookies, payload });
    const open = await buildActivity(t.db, utrecht);
    assert.equal((await post(open.id)).statusCode, 201);
    const twice = await post(open.id);
    assert.deepEqual([twice.statusCode, twice.json().code], [409, 'ACTIVITIES_ALREADY_REGISTERED']);
    assert.match(twice.headers['content-type'] as string, /problem\+json/);

    const cancelled = await buildActivity(t.db, utrecht, { status: 'cancelled' });
    assert.deepEqual([(await post(cancelled.id)).statusCode, (await post(cancelled.id)).json().code], [409, 'ACTIVITIES_ACTIVITY_CANCELLED']);
    const none = await buildActivity(t.db, utrecht, { capacity: 0 });
    assert.equal((await post(none.id)).json().code, 'ACTIVITIES_NO_SEATS');
    const walkIn = await buildActivity(t.db, utrecht, { registrationRequired: false });
    assert.equal((await post(walkIn.id)).json().code, 'ACTIVITIES_NOT_BOOKABLE');
    const soon = await buildActivity(t.db, utrecht, { startsInDays: 0.02, cutoffMinutes: 120 });
    const late = await post(soon.id);
    assert.deepEqual([late.statusCode, late.json().code], [409, 'ACTIVITIES_REGISTRATION_CLOSED']);

    const badMail = await post(open.id, { email: 'not-an-address', consent: true }, {});
    assert.deepEqual([badMail.statusCode, badMail.json().code, badMail.json().errors[0].field], [422, 'ACTIVITIES_EMAIL_INVALID', 'email']);
    const noConsent = await post(open.id, { email: 'ok@example.org' }, {});
    assert.deepEqual([noConsent.statusCode, noConsent.json().code], [422, 'ACTIVITIES_CONSENT_REQUIRED']);
    const draft = await buildActivity(t.db, utrecht, { status: 'draft' });
    assert.equal((await post(draft.id)).statusCode, 404);
    assert.equal((await post('00000000-0000-4000-8000-000000000000')).statusCode, 404);
    const notUuid = await t.app.inject({ method: 'POST', url: api('/nope/registrations'), cookies: p.cookies, payload: {} });
    assert.equal(notUuid.statusCode, 400);
  });

  test('cancelling after the cut-off is refused for the member but allowed for staff', async () => {
    const p = await member();
    const staff = await librarian();
    const { id } = await buildActivity(t.db, utrecht, { startsInDays: 1 / 24 * 3, cutoffMinutes: 60 });
    const reg = (await t.app.inject({ method: 'POST', url: api(`/${id}/registrations`), cookies: p.cookies, payload: {} })).json();
    await t.db.kysely.updateTable('activity').set({ cutoffMinutes: 240 }).where('id', '=', id).execute();
    const late = await t.app.inject({ method: 'DELETE', url: api(`/${id}/registrations/${reg.id}`), cookies: p.cookies });
    assert.deepEqual([late.statusCode, late.json().code], [409, 'ACTIVITIES_CANCELLATION_CLOSED']);
    const byStaff = await t.app.inject({ method: 'DELETE', url: api(`/${id}/registrations/${reg.id}`), cookies: staff.cookies });
    assert.equal(byStaff.statusCode, 200);
    // someone else's registration: not found for an ordinary member
    const other = await member();
    const reg2 = (await t.app.inject({ method: 'POST', url: api(`/${id}/registrations`), cookies: other.cookies, payload: {} }));
    assert.equal(reg2.statusCode, 409); // closed by now
  });

  test("a course is booked once for all its meetings; the joining link of an online activity is only for registrants", async () => {
    const start = Date.now() + 3 * 86_400_000;
    const { id, sessionIds } = await buildActivity(t.db, utrecht, {
      kind: 'course', online: true, onlineUrl: 'https://meet.example.org/cursus', capacity: 5,
      sessions: [0, 7, 14].map((d) => ({ startsAt: new Date(start + d * 86_400_000), endsAt: new Date(start + d * 86_400_000 + 3600_000) })),
    });
    const p = await member();
    const before = (await t.app.inject({ url: api(`/${id}`), cookies: p.cookies })).json();
    assert.equal(before.onlineUrl, null);
    assert.equal(before.sessions.length, 3);
    await t.app.inject({ method: 'POST', url: api(`/${id}/registrations`), cookies: p.cookies, payload: {} });
    const after = (await t.app.inject({ url: api(`/${id}`), cookies: p.cookies })).json();
    assert.equal(after.onlineUrl, 'https://meet.example.org/cursus');
    assert.equal(after.myRegistrations[0].sessionId, sessionIds[0]);
    assert.equal((await t.app.inject({ url: api(`/${id}`) })).json().onlineUrl, null);
    const list = (await t.app.inject({ url: api('?branch=online') })).json();
    assert.equal(list.activities.filter((a: { activityId: string }) => a.activityId === id).length, 1, 'a course appears once in the agenda');
  });

  test('counts survive erasure: registrations are anonymised, never deleted', async () => {
    const { id, sessionIds: [sessionId] } = await buildActivity(t.db, utrecht);
    const p = await member();
    await t.app.inject({ method: 'POST', url: api(`/${id}/registrations`), cookies: p.cookies, payload: {} });
    const n = await inTenant(t.db.kysely, utrecht, (tx) => anonymiseRegistrations(tx, utrecht, p.id));
    assert.equal(n, 1);
    assert.deepEqual(await sessionCounts(sessionId!), { seatsTaken: 1, waitlisted: 0, attended: 0, cancelled: 0, registeredTotal: 1 });
    await assert.rejects(inTenant(t.db.kysely, utrecht, (tx) => tx.deleteFrom('registration').where('sessionId', '=', sessionId!).execute()), /permission denied/);
  });
});

describe('the agenda', () => {
  test('filters by date range, audience, statutory function, branch or online, and free', async () => {
    const branch = await t.db.kysely.selectFrom('branch').select(['id', 'slug']).where('libraryId', '=', utrecht).orderBy('slug').executeTakeFirstOrThrow();
    const day = 86_400_000;
    const mk = (title: string, o: object) => buildActivity(t.db, utrecht, { title, ...o });
    const a = await mk('Filter Alpha', { audience: ['children'], statutoryFunctions: ['reading_literature'], branchId: branch.id, startsInDays: 40 });
    const b = await mk('Filter Beta', { audience: ['adults'], statutoryFunctions: ['meeting_debate', 'art_culture'], online: true, priceCents: 500, startsInDays: 41 });
    const c = await mk('Filter Gamma', { audience: ['seniors'], statutoryFunctions: ['knowledge_information'], startsInDays: 60 });
    const ids = async (q: string) => {
      const res = await t.app.inject({ url: api(`?${q}`) });
      assert.equal(res.statusCode, 200, res.body);
      return res.json().activities.map((x: { activityId: string }) => x.activityId).filter((x: string) => [a.id, b.id, c.id].includes(x));
    };
    const date = (d: number) => new Date(Date.now() + d * day).toISOString().slice(0, 10);
    assert.deepEqual(await ids(`from=${date(39)}&to=${date(42)}`), [a.id, b.id]);
    assert.deepEqual(await ids('audience=children'), [a.id]);
    assert.deepEqual(await ids('function=art_culture'), [b.id]);
    assert.deepEqual(await ids(`branch=${branch.slug}`), [a.id]);
    assert.deepEqual(await ids('branch=online'), [b.id]);
    assert.deepEqual(await ids('free=false'), [b.id]);
    assert.deepEqual(await ids('free=true&audience=seniors'), [c.id]);
    assert.equal((await t.app.inject({ url: api('?function=sports') })).statusCode, 400);
    const item = (await t.app.inject({ url: api(`?from=${date(39)}&to=${date(40)}`) })).json().activities.find((x: { activityId: string }) => x.activityId === a.id);
    assert.equal(item.seatsAvailable, 10);
    assert.equal(item.branch.slug, branch.slug);
  });

  test('drafts are invisible to the public; another library sees none of them', async () => {
    const draft = await buildActivity(t.db, utrecht, { status: 'draft', title: 'Geheim concept' });
    assert.equal((await t.app.inject({ url: api(`/${draft.id}`) })).statusCode, 404);
    const published = await buildActivity(t.db, utrecht);
    assert.equal((await t.app.inject({ url: `/api/v1/libraries/amsterdam/activities/${published.id}` })).statusCode, 404);
  });
});

describe('librarian tools', () => {
  const body = (o: object = {}) => ({
    kind: 'event', title: 'Digicafé', statutoryFunctions: ['knowledge_information', 'development_education'], capacity: 3,
    audience: ['seniors'], sessions: [{ startsAt: new Date(Date.now() + 5 * 86_400_000).toISOString(), endsAt: new Date(Date.now() + 5 * 86_400_000 + 7200_000).toISOString() }],
    ...o,
  });

  test('staff routes need a librarian of this library: 401 anonymous, 403 member or other library', async () => {
    assert.equal((await t.app.inject({ method: 'POST', url: api(''), payload: body() })).statusCode, 401);
    const p = await member();
    assert.equal((await t.app.inject({ method: 'POST', url: api(''), cookies: p.cookies, payload: body() })).statusCode, 403);
    const elsewhere = await librarian('amsterdam');
    assert.equal((await t.app.inject({ method: 'POST', url: api(''), cookies: elsewhere.cookies, payload: body() })).statusCode, 403);
  });

  test('create a draft, publish it, edit capacity (promoting the waitlist), duplicate, list and export registrations, check in', async () => {
    const lib = await librarian();
    const created = await t.app.inject({ method: 'POST', url: api(''), cookies: lib.cookies, payload: body({ capacity: 1 }) });
    assert.equal(created.statusCode, 201, created.body);
    const { id } = created.json();
    assert.equal((await t.app.inject({ url: api(`/${id}`) })).statusCode, 404, 'a draft is not public');
    assert.equal((await t.app.inject({ method: 'POST', url: api(`/${id}/status`), cookies: lib.cookies, payload: { status: 'published' } })).statusCode, 204);
    const detail = (await t.app.inject({ url: api(`/${id}`) })).json();
    assert.deepEqual(detail.statutoryFunctions, ['knowledge_information', 'development_education']);

    const a = await member();
    const b = await member();
    await t.app.inject({ method: 'POST', url: api(`/${id}/registrations`), cookies: a.cookies, payload: {} });
    const bReg = (await t.app.inject({ method: 'POST', url: api(`/${id}/registrations`), cookies: b.cookies, payload: {} })).json();
    assert.equal(bReg.status, 'waitlisted');
    const edited = await t.app.inject({ method: 'PUT', url: api(`/${id}`), cookies: lib.cookies, payload: body({ capacity: 2, title: 'Digicafé (extra plek)' }) });
    assert.equal(edited.statusCode, 204, edited.body);
    assert.equal((await t.app.inject({ url: api(`/${id}`), cookies: b.cookies })).json().myRegistrations[0].status, 'confirmed');
    const shrink = await t.app.inject({ method: 'PUT', url: api(`/${id}`), cookies: lib.cookies, payload: body({ capacity: 1 }) });
    assert.deepEqual([shrink.statusCode, shrink.json().errors[0].field], [422, 'capacity']);

    const list = await t.app.inject({ url: api(`/${id}/registrations`), cookies: lib.cookies });
    assert.equal(list.statusCode, 200);
    assert.deepEqual(list.json().registrations.map((r: { email: string }) => r.email).sort(), [a.email, b.email].sort());
    const csv = await t.app.inject({ url: api(`/${id}/registrations`), cookies: lib.cookies, headers: { accept: 'text/csv' } });
    assert.match(csv.headers['content-type'] as string, /text\/csv/);
    assert.match(csv.body, /^datum,tijd,status/);
    assert.equal(csv.body.trim().split('\r\n').length, 3);
    const audits = await t.db.kysely.selectFrom('auditEvent').select('action').where('actorAccountId', '=', lib.id).execute();
    assert.deepEqual(audits.map((x) => x.action).sort(), ['activities.registrations.exported', 'activities.registrations.viewed']);

    const code = (await t.db.kysely.selectFrom('registration').select('code').where('id', '=', bReg.id).executeTakeFirstOrThrow()).code;
    const checkIn = await t.app.inject({ method: 'POST', url: api(`/${id}/check-ins`), cookies: lib.cookies, payload: { code } });
    assert.deepEqual(checkIn.json(), { id: bReg.id, status: 'attended', alreadyCheckedIn: false });
    const again = await t.app.inject({ method: 'POST', url: api(`/${id}/check-ins`), cookies: lib.cookies, payload: { registrationId: bReg.id } });
    assert.equal(again.json().alreadyCheckedIn, true);
    const counts = (await t.app.inject({ url: api(`/${id}/registrations`), cookies: lib.cookies })).json().sessions[0];
    assert.deepEqual([counts.registered, counts.waitlisted, counts.attended], [2, 0, 1]);

    const copy = await t.app.inject({ method: 'POST', url: api(`/${id}/duplicate`), cookies: lib.cookies, payload: {} });
    assert.equal(copy.statusCode, 201);
    const copied = (await t.app.inject({ url: api(`/${copy.json().id}`), cookies: lib.cookies })).json();
    assert.equal(copied.status, 'draft');
    assert.equal(new Date(copied.sessions[0].startsAt).getTime() - new Date(detail.sessions[0].startsAt).getTime(), 7 * 86_400_000);
  });

  test('related titles: stored once each, returned, and anything but a list of up to 20 title ids is refused', async () => {
    const lib = await librarian();
    const book = '0b0e8a4c-3c58-4a43-9d0a-6f9b7c1d2e3f';
    const created = await t.app.inject({ method: 'POST', url: api(''), cookies: lib.cookies, payload: body({ relatedTitleIds: [book, book.toUpperCase()] }) });
    assert.equal(created.statusCode, 201, created.body);
    const detail = (await t.app.inject({ url: api(`/${created.json().id}`), cookies: lib.cookies })).json();
    assert.deepEqual(detail.relatedTitleIds, [book]);
    const notIds = await t.app.inject({ method: 'POST', url: api(''), cookies: lib.cookies, payload: body({ relatedTitleIds: ['max-havelaar'] }) });
    assert.equal(notIds.statusCode, 400);
    const many = Array.from({ length: 21 }, (_, i) => `0b0e8a4c-3c58-4a43-9d0a-${String(i).padStart(12, '0')}`);
    assert.equal((await t.app.inject({ method: 'POST', url: api(''), cookies: lib.cookies, payload: body({ relatedTitleIds: many }) })).statusCode, 400);
  });

  test('an activity without a statutory function, or with an unknown one, is refused', async () => {
    const lib = await librarian();
    const none = await t.app.inject({ method: 'POST', url: api(''), cookies: lib.cookies, payload: body({ statutoryFunctions: [] }) });
    assert.equal(none.statusCode, 400);
    const { rows } = await sql<{ ok: boolean }>`select true as ok`.execute(t.db.kysely);
    assert.ok(rows[0]!.ok);
    await assert.rejects(inTenant(t.db.kysely, utrecht, (tx) => tx.insertInto('activity').values({
      libraryId: utrecht, kind: 'event', title: 'Sport', statutoryFunctions: ['sports' as never],
    }).execute()), /check constraint/);
    const back = await t.app.inject({ method: 'POST', url: api(''), cookies: lib.cookies, payload: body({ sessions: [{ startsAt: '2030-01-01T10:00:00Z', endsAt: '2030-01-01T09:00:00Z' }] }) });
    assert.deepEqual([back.statusCode, back.json().code], [422, 'ACTIVITIES_INVALID']);
  });
});

describe('the demo agenda', () => {
  test('every demo library has published activities covering all five statutory functions, a course, a walk-in service and an online activity', async () => {
    const { rows } = await sql<{ slug: string; functions: string[]; kinds: string[]; online: number; walkIn: number }>`
      select l.slug, array(select distinct unnest(a2.statutory_functions) from activity a2 where a2.library_id = l.id order by 1) as functions,
        array_agg(distinct a.kind order by a.kind) as kinds,
        count(*) filter (where a.online)::int as online, count(*) filter (where not a.registration_required)::int as "walkIn"
      from library l join activity a on a.library_id = l.id and a.status = 'published' and a.import_uid is null
      group by l.id, l.slug`.execute(t.db.kysely);
    assert.equal(rows.length, 22);
    for (const r of rows) {
      assert.deepEqual(r.functions, ['art_culture', 'development_education', 'knowledge_information', 'meeting_debate', 'reading_literature'], r.slug);
      assert.deepEqual(r.kinds, ['course', 'event', 'service'], r.slug);
      assert.ok(r.online >= 1 && r.walkIn >= 1, r.slug);
    }
    const agenda = (await t.app.inject({ url: '/api/v1/libraries/groningen/activities' })).json();
    assert.ok(agenda.activities.some((a: { title: string }) => a.title === 'Klik & Tik: digitale basisvaardigheden'));
  });
});

describe('messages, reminders and my activities', () => {
  test('a librarian messages everyone registered or waiting (not the cancelled), audited', async () => {
    const { id } = await buildActivity(t.db, utrecht, { capacity: 1 });
    const [a, b, c] = [await member(), await member(), await member()];
    for (const p of [a, b, c]) await t.app.inject({ method: 'POST', url: api(`/${id}/registrations`), cookies: p.cookies, payload: {} });
    const cReg = (await t.app.inject({ url: api(`/${id}`), cookies: c.cookies })).json().myRegistrations[0];
    await t.app.inject({ method: 'DELETE', url: api(`/${id}/registrations/${cReg.id}`), cookies: c.cookies });
    const lib = await librarian();
    const res = await t.app.inject({ method: 'POST', url: api(`/${id}/messages`), cookies: lib.cookies, payload: { subject: 'Andere zaal', body: 'We zitten in zaal 3.' } });
    assert.deepEqual(res.json(), { sent: 2 });
    const notices = await t.db.kysely.selectFrom('notice').select('toAddress').where('template', '=', 'activity_message').where('subject', 'like', '%Andere zaal').execute();
    assert.deepEqual(notices.map((n) => n.toAddress).sort(), [a.email, b.email].sort());
    const empty = await t.app.inject({ method: 'POST', url: api(`/${id}/messages`), cookies: lib.cookies, payload: { subject: '', body: 'x' } });
    assert.equal(empty.statusCode, 422);
    assert.equal((await t.app.inject({ method: 'POST', url: api(`/${id}/messages`), cookies: a.cookies, payload: { subject: 'Hoi', body: 'Spam' } })).statusCode, 403);
  });

  test('reminders go out once, a day before, to people with a seat (every meeting of a course)', async () => {
    const soon = Date.now() + 20 * 3600_000;
    const event = await buildActivity(t.db, utrecht, { capacity: 1, sessions: [{ startsAt: new Date(soon), endsAt: new Date(soon + 3600_000) }] });
    const course = await buildActivity(t.db, utrecht, {
      kind: 'course', sessions: [{ startsAt: new Date(soon - 6 * 86_400_000), endsAt: new Date(soon - 6 * 86_400_000 + 3600_000) }, { startsAt: new Date(soon + 3600_000), endsAt: new Date(soon + 7200_000) }],
    });
    const [seat, waiting] = [await member(), await member()];
    for (const p of [seat, waiting]) await t.app.inject({ method: 'POST', url: api(`/${event.id}/registrations`), cookies: p.cookies, payload: {} });
    // registered for the course before its first meeting
    await t.db.kysely.insertInto('registration').values({
      libraryId: utrecht, activityId: course.id, sessionId: course.sessionIds[0]!, accountId: seat.id, homeLibraryId: utrecht,
      status: 'confirmed', waitlistPosition: null, code: 'coursecode0000000001',
    }).execute();
    const { systemCtx } = await import('../../platform/context.ts');
    const { sendReminders } = await import('./activities.service.ts');
    const ctx = systemCtx(t.db.kysely, t.config, 'reminders');
    await sendReminders(ctx);
    const mine = await t.db.kysely.selectFrom('notice').select(['toAddress', 'subject']).where('template', '=', 'activity_reminder').where('toAddress', 'in', [seat.email, waiting.email]).execute();
    assert.equal(mine.filter((n) => n.toAddress === seat.email).length, 2, 'the event and the course meeting');
    assert.equal(mine.filter((n) => n.toAddress === waiting.email).length, 0, 'not the waitlist');
    await sendReminders(ctx);
    const again = await t.db.kysely.selectFrom('notice').select('id').where('template', '=', 'activity_reminder').where('toAddress', '=', seat.email).execute();
    assert.equal(again.length, 2, 'never twice');
  });

  test('my activities lists my registrations; the confirmation mail has a cancel link that works', async () => {
    const p = await member();
    const { id } = await buildActivity(t.db, utrecht, { title: 'Mijn lijstje' });
    assert.equal((await t.app.inject({ url: api('/mine') })).statusCode, 401);
    await t.app.inject({ method: 'POST', url: api(`/${id}/registrations`), cookies: p.cookies, payload: {} });
    const mine = (await t.app.inject({ url: api('/mine'), cookies: p.cookies })).json();
    assert.deepEqual(mine.registrations.map((r: { title: string }) => r.title), ['Mijn lijstje']);
    const notice = await t.db.kysely.selectFrom('notice').select('bodyText').where('toAddress', '=', p.email).where('template', '=', 'activity_confirmed').executeTakeFirstOrThrow();
    const link = /(https?:\/\/\S+\/afmelden\?r=\S+&code=\S+)/.exec(notice.bodyText)![1]!;
    assert.ok(link.startsWith(`${t.config.publicUrl}/utrecht/activiteiten/${id}/afmelden?`));
    const page = await t.app.inject({ url: link.slice(t.config.publicUrl.length), headers: { accept: 'text/html' } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /name="code" value="[^"]{16,}"/);
  });
});

describe('online activities shared with the network', () => {
  test('appear in every portal, take registrations from members of any library, and stay with the organiser', async () => {
    const amsterdam = await libraryId(t.db, 'amsterdam');
    const shared = await buildActivity(t.db, amsterdam, {
      title: 'Gedeelde online lezing', online: true, sharedNetwork: true, onlineUrl: 'https://meet.example.org/gedeeld', capacity: 2,
    });
    const local = await buildActivity(t.db, amsterdam, { title: 'Alleen Amsterdam' });
    const listed = (await t.app.inject({ url: api('?branch=online') })).json().activities.map((a: { activityId: string }) => a.activityId);
    assert.ok(listed.includes(shared.id), 'the shared activity is in the Utrecht agenda');
    assert.ok(!listed.includes(local.id));
    assert.equal((await t.app.inject({ url: api(`/${local.id}`) })).statusCode, 404, 'a local activity of another library is not');

    const page = await t.app.inject({ url: `/utrecht/activiteiten/${shared.id}`, headers: { accept: 'text/html' } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /href="\/utrecht\/theme.css"/, 'under the brand of the portal it is seen in');
    assert.match(page.body, /Een online activiteit van Bibliotheek Amsterdam/);

    const p = await member('utrecht');
    const res = await t.app.inject({ method: 'POST', url: api(`/${shared.id}/registrations`), cookies: p.cookies, payload: {} });
    assert.equal(res.statusCode, 201, res.body);
    const row = await t.db.kysely.selectFrom('registration').select(['libraryId', 'homeLibraryId']).where('id', '=', res.json().id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { libraryId: amsterdam, homeLibraryId: utrecht });
    const detail = (await t.app.inject({ url: api(`/${shared.id}`), cookies: p.cookies })).json();
    assert.equal(detail.onlineUrl, 'https://meet.example.org/gedeeld');
    assert.equal(detail.myRegistrations[0].status, 'confirmed');

    // Utrecht's tenant cannot see Amsterdam's registrations, nor change the shared activity
    const seen = await inTenant(t.db.kysely, utrecht, (tx) => tx.selectFrom('registration').select('id').where('activityId', '=', shared.id).execute());
    assert.equal(seen.length, 0);
    const changed = await inTenant(t.db.kysely, utrecht, (tx) => tx.updateTable('activity').set({ title: 'Overgenomen' }).where('id', '=', shared.id).executeTakeFirst());
    assert.equal(Number(changed.numUpdatedRows), 0);
    const utrechtLibrarian = await librarian('utrecht');
    assert.equal((await t.app.inject({ url: api(`/${shared.id}/registrations`), cookies: utrechtLibrarian.cookies })).statusCode, 404);
    const amsterdamLibrarian = await librarian('amsterdam');
    const list = await t.app.inject({ url: `/api/v1/libraries/amsterdam/activities/${shared.id}/registrations`, cookies: amsterdamLibrarian.cookies });
    assert.deepEqual(list.json().registrations.map((r: { email: string }) => r.email), [p.email]);

    const cancel = await t.app.inject({ method: 'DELETE', url: api(`/${shared.id}/registrations/${res.json().id}`), cookies: p.cookies });
    assert.equal(cancel.statusCode, 200, cancel.body);
  });
});

describe('participation of members in other libraries\' shared activities', () => {
  test('the home library sees counts (registered, attended), never who', async () => {
    const amsterdam = await libraryId(t.db, 'amsterdam');
    const shared = await buildActivity(t.db, amsterdam, { title: 'Gedeelde workshop', online: true, sharedNetwork: true });
    const [p, q] = [await member('utrecht'), await member('utrecht')];
    const regs = [];
    for (const x of [p, q]) regs.push((await t.app.inject({ method: 'POST', url: api(`/${shared.id}/registrations`), cookies: x.cookies, payload: {} })).json());
    const organiserStaff = await librarian('amsterdam');
    const checkIn = await t.app.inject({ method: 'POST', url: `/api/v1/libraries/amsterdam/activities/${shared.id}/check-ins`, cookies: organiserStaff.cookies, payload: { registrationId: regs[0].id } });
    assert.equal(checkIn.statusCode, 200, checkIn.body);
    const homeStaff = await librarian('utrecht');
    const res = await t.app.inject({ url: api('/participation'), cookies: homeStaff.cookies });
    assert.equal(res.statusCode, 200, res.body);
    const row = res.json().activities.find((a: { activityId: string }) => a.activityId === shared.id);
    assert.deepEqual(row, { activityId: shared.id, title: 'Gedeelde workshop', organiser: { slug: 'amsterdam', name: 'Bibliotheek Amsterdam' }, registered: 2, attended: 1 });
    assert.doesNotMatch(res.body, /@/, 'no e-mail addresses, no names');
    // Amsterdam's own view has no row for its own activity, and the tenant setting is back
    assert.equal((await t.app.inject({ url: '/api/v1/libraries/amsterdam/activities/participation', cookies: organiserStaff.cookies })).json().activities
      .filter((a: { activityId: string }) => a.activityId === shared.id).length, 0);
    assert.equal((await t.app.inject({ url: api('/participation'), cookies: p.cookies })).statusCode, 403);
  });
});
