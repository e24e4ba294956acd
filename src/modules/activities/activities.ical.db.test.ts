// iCalendar over HTTP: feeds per library, per branch and per activity, and importing a calendar
// file through the API and the staff page.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import ICAL from 'ical.js';
import { testApp, type TestApp } from '../../../test/support/app.ts';
import { buildAccount, grantStaff, signIn } from '../../../test/support/auth.ts';
import { buildActivity, libraryId } from '../../../test/support/activities.ts';

let t: TestApp;
let utrecht: string;
before(async () => {
  t = await testApp();
  utrecht = await libraryId(t.db, 'utrecht');
});
after(async () => { await t.close(); });

const fixtures = path.resolve(import.meta.dirname, '../../../test/fixtures/icalendar');

function events(text: string) {
  const cal = new ICAL.Component(ICAL.parse(text));
  assert.equal(cal.getFirstSubcomponent('vtimezone')?.getFirstPropertyValue('tzid'), 'Europe/Amsterdam');
  return cal.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
}

describe('feeds', () => {
  test('the library feed holds published activities (every meeting of a course), not drafts; a branch feed only its branch', async () => {
    const branch = await t.db.kysely.selectFrom('branch').select(['id', 'slug']).where('libraryId', '=', utrecht).orderBy('slug').executeTakeFirstOrThrow();
    const start = Date.now() + 10 * 86_400_000;
    const course = await buildActivity(t.db, utrecht, {
      kind: 'course', title: 'Feed cursus', branchId: branch.id,
      sessions: [0, 7, 14].map((d) => ({ startsAt: new Date(start + d * 86_400_000), endsAt: new Date(start + d * 86_400_000 + 3600_000) })),
    });
    await buildActivity(t.db, utrecht, { title: 'Feed concept', status: 'draft' });
    await buildActivity(t.db, utrecht, { title: 'Feed elders', online: true });
    for (const url of ['/utrecht/activiteiten.ics', '/api/v1/libraries/utrecht/activities.ics']) {
      const res = await t.app.inject({ url });
      assert.equal(res.statusCode, 200, url);
      assert.match(res.headers['content-type'] as string, /^text\/calendar/);
      const titles = events(res.body).map((e) => e.summary);
      assert.equal(titles.filter((x) => x === 'Feed cursus').length, 3);
      assert.ok(titles.includes('Feed elders'));
      assert.ok(!titles.includes('Feed concept'));
    }
    for (const url of [`/utrecht/vestigingen/${branch.slug}/activiteiten.ics`, `/api/v1/libraries/utrecht/branches/${branch.slug}/activities.ics`]) {
      const titles = events((await t.app.inject({ url })).body).map((e) => e.summary);
      assert.ok(titles.includes('Feed cursus'), url);
      assert.ok(!titles.includes('Feed elders'), url);
    }
    assert.equal((await t.app.inject({ url: '/utrecht/vestigingen/nergens/activiteiten.ics' })).statusCode, 404);
    const one = await t.app.inject({ url: `/utrecht/activiteiten/${course.id}/agenda.ics` });
    const evs = events(one.body);
    assert.equal(evs.length, 3);
    assert.equal(new Set(evs.map((e) => e.uid)).size, 3, 'a stable UID per session');
    const api = await t.app.inject({ url: `/api/v1/libraries/utrecht/activities/${course.id}/calendar.ics` });
    assert.equal(api.body.replace(/DTSTAMP:.*\r\n/g, ''), one.body.replace(/DTSTAMP:.*\r\n/g, ''));
    const draft = await buildActivity(t.db, utrecht, { status: 'draft' });
    assert.equal((await t.app.inject({ url: `/utrecht/activiteiten/${draft.id}/agenda.ics` })).statusCode, 404);
  });
});

describe('import', () => {
  test('a librarian imports calendars: recurring events expand, duplicates and bad events are reported', async () => {
    const p = await buildAccount(t);
    await grantStaff(t, p.id, 'utrecht', 'librarian');
    const cookies = await signIn(t, p.id);
    const calendar = fs.readFileSync(path.join(fixtures, 'libical-2445.ics'), 'utf8');
    const res = await t.app.inject({
      method: 'POST', url: '/api/v1/libraries/utrecht/activities/import', cookies,
      payload: { calendar, statutoryFunctions: ['meeting_debate'], publish: true },
    });
    assert.equal(res.statusCode, 200, res.body);
    const report = res.json();
    assert.ok(report.imported.length >= 3);
    assert.ok(report.skipped.some((s: { reason: string }) => s.reason === 'no UID'));
    const again = (await t.app.inject({
      method: 'POST', url: '/api/v1/libraries/utrecht/activities/import', cookies,
      payload: { calendar, statutoryFunctions: ['meeting_debate'] },
    })).json();
    assert.equal(again.imported.length, 0);
    assert.equal(again.skipped.filter((s: { reason: string }) => s.reason === 'already imported (same UID)').length, report.imported.length);
    const row = await t.db.kysely.selectFrom('activity').select(['status', 'statutoryFunctions', 'importUid']).where('id', '=', report.imported[0].id).executeTakeFirstOrThrow();
    assert.deepEqual(row.statutoryFunctions, ['meeting_debate']);
    assert.ok(row.importUid);

    const recurring = (await t.app.inject({
      method: 'POST', url: '/api/v1/libraries/utrecht/activities/import', cookies,
      payload: { calendar: fs.readFileSync(path.join(fixtures, 'icaljs-samples-daily_recur.ics'), 'utf8'), statutoryFunctions: ['knowledge_information'] },
    })).json();
    assert.equal(recurring.imported[0].sessions, 200);
    const sessions = await t.db.kysely.selectFrom('activitySession').select('id').where('activityId', '=', recurring.imported[0].id).execute();
    assert.equal(sessions.length, 200);

    const junk = await t.app.inject({
      method: 'POST', url: '/api/v1/libraries/utrecht/activities/import', cookies,
      payload: { calendar: fs.readFileSync(path.join(fixtures, 'libical-stresstest.ics'), 'utf8'), statutoryFunctions: ['art_culture'] },
    });
    assert.equal(junk.statusCode, 200);
    assert.equal(junk.json().imported.length, 0);
    assert.ok(junk.json().skipped.length >= 1);

    const noFunction = await t.app.inject({ method: 'POST', url: '/api/v1/libraries/utrecht/activities/import', cookies, payload: { calendar, statutoryFunctions: [] } });
    assert.equal(noFunction.statusCode, 400);
    const anonymous = await t.app.inject({ method: 'POST', url: '/api/v1/libraries/utrecht/activities/import', payload: { calendar, statutoryFunctions: ['art_culture'] } });
    assert.equal(anonymous.statusCode, 401);
  });

  test('the staff import page shows the report', async () => {
    const p = await buildAccount(t);
    await grantStaff(t, p.id, 'utrecht', 'librarian');
    const cookies = await signIn(t, p.id);
    const page = await t.app.inject({ url: '/utrecht/beheer/activiteiten/importeren', headers: { accept: 'text/html' }, cookies });
    assert.equal(page.statusCode, 200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const form = new URLSearchParams({ _csrf: csrf, calendar: fs.readFileSync(path.join(fixtures, 'icaljs-samples-rdate_exdate.ics'), 'utf8') });
    form.append('statutoryFunctions', 'reading_literature');
    const res = await t.app.inject({
      method: 'POST', url: '/utrecht/beheer/activiteiten/importeren', cookies,
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, payload: form.toString(),
    });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /0 activiteiten geïmporteerd, 1 overgeslagen/);
    assert.match(res.body, /no title \(SUMMARY\)/);
  });
});
