// iCalendar out (ical-generator) checked with ical.js, and iCalendar in (ical.js) with the real
// and broken calendars in test/fixtures/icalendar.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import ICAL from 'ical.js';
import { activitiesCalendar, VTIMEZONE_AMSTERDAM, type FeedSession } from './icalendar.ts';
import { parseCalendar } from './icalendar-import.ts';

const fixtures = path.resolve(import.meta.dirname, '../../../test/fixtures/icalendar');
const fixture = (name: string) => fs.readFileSync(path.join(fixtures, name), 'utf8');

function session(o: Partial<FeedSession> = {}): FeedSession {
  return {
    sessionId: '11111111-1111-4111-8111-111111111111', activityId: '22222222-2222-4222-8222-222222222222',
    title: 'Poëzieavond; met, leestekens', description: 'Regel 1\nRegel 2', startsAt: new Date('2026-07-01T17:30:00Z'),
    endsAt: new Date('2026-07-01T19:00:00Z'), status: 'published', sessionStatus: 'scheduled', online: false,
    branchName: 'Bibliotheek Centrum', branchAddress: 'Oudegracht 1, 3511 AB Utrecht', location: null, room: 'Zaal 2',
    statutoryFunctions: ['reading_literature', 'art_culture'], updatedAt: new Date('2026-06-01T10:00:00Z'), ...o,
  };
}

describe('feeds', () => {
  test('are valid for ical.js, in Europe/Amsterdam with a VTIMEZONE, summer and winter alike', () => {
    const text = activitiesCalendar([
      session(),
      session({ sessionId: '33333333-3333-4333-8333-333333333333', startsAt: new Date('2026-12-10T18:30:00Z'), endsAt: new Date('2026-12-10T20:00:00Z'), status: 'cancelled' }),
    ], { name: 'Bibliotheek Utrecht: activiteiten', activityBase: 'https://eenbieb.example/utrecht/activiteiten/', lang: 'nl' });
    const cal = new ICAL.Component(ICAL.parse(text));
    const vtz = cal.getFirstSubcomponent('vtimezone')!;
    assert.equal(vtz.getFirstPropertyValue('tzid'), 'Europe/Amsterdam');
    const tz = new ICAL.Timezone(vtz);
    const events = cal.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    assert.equal(events.length, 2);
    const [summer, winter] = events;
    assert.equal(summer!.component.getFirstProperty('dtstart')!.getParameter('tzid'), 'Europe/Amsterdam');
    assert.equal(summer!.startDate.toString(), '2026-07-01T19:30:00');
    assert.equal(winter!.startDate.toString(), '2026-12-10T19:30:00');
    // with the file's own VTIMEZONE, the instants are the ones stored
    for (const [e, utc] of [[summer!, '2026-07-01T17:30:00.000Z'], [winter!, '2026-12-10T18:30:00.000Z']] as const) {
      const t = e.startDate.clone();
      t.zone = tz;
      assert.equal(t.toJSDate().toISOString(), utc);
    }
    assert.equal(summer!.summary, 'Poëzieavond; met, leestekens');
    assert.equal(summer!.description, 'Regel 1\nRegel 2\n\nhttps://eenbieb.example/utrecht/activiteiten/22222222-2222-4222-8222-222222222222');
    assert.equal(summer!.location, 'Bibliotheek Centrum, Zaal 2, Oudegracht 1, 3511 AB Utrecht');
    assert.equal(summer!.uid, '11111111-1111-4111-8111-111111111111@activiteiten.eenbieb');
    assert.equal(winter!.component.getFirstPropertyValue('status'), 'CANCELLED');
    assert.deepEqual(summer!.component.getFirstProperty('categories')!.getValues(), ['Lezen en literatuur', 'Kunst en cultuur']);
    assert.match(text, /^DTSTAMP:20260601T100000Z\r$/m, 'DTSTAMP in UTC');
    assert.ok(text.split('\r\n').every((line) => new TextEncoder().encode(line).length <= 75), 'lines folded at 75 octets');
  });

  test('the compact VTIMEZONE gives the same wall clock as tzdata 2025c for 1996–2037', () => {
    const ours = new ICAL.Timezone(new ICAL.Component(ICAL.parse(`BEGIN:VCALENDAR\r\n${VTIMEZONE_AMSTERDAM}\r\nEND:VCALENDAR`)).getFirstSubcomponent('vtimezone')!);
    const tzdata = new ICAL.Timezone(new ICAL.Component(ICAL.parse(fixture('libical-zoneinfo2025c-Europe-Amsterdam.ics'))).getFirstSubcomponent('vtimezone')!);
    for (let ms = Date.UTC(1996, 0, 1); ms < Date.UTC(2037, 11, 31); ms += 7 * 3600_000 + 13 * 60_000) {
      const utc = ICAL.Time.fromJSDate(new Date(ms), true);
      assert.equal(utc.convertToZone(ours).toString(), utc.convertToZone(tzdata).toString(), new Date(ms).toISOString());
    }
  });
});

describe('import', () => {
  const until = new Date('2030-01-01T00:00:00Z');

  test('a single event keeps its zone; DURATION instead of DTEND works; an all-day event becomes a whole Amsterdam day', () => {
    const minimal = parseCalendar(fixture('icaljs-samples-minimal.ics'), { until });
    assert.deepEqual(minimal.problems, []);
    assert.equal(minimal.events[0]!.title, 'Really long event name thing');
    assert.equal(minimal.events[0]!.sessions[0]!.startsAt.toISOString(), '2012-06-30T13:00:00.000Z'); // 06:00 in Los Angeles (PDT)
    const duration = parseCalendar(fixture('icaljs-samples-duration_instead_of_dtend.ics'), { until }).events[0]!;
    assert.ok(duration.sessions[0]!.endsAt > duration.sessions[0]!.startsAt);
    const allDay = parseCalendar(fixture('icaljs-samples-only_dtstart_date.ics'), { until }).events[0]!;
    const s = allDay.sessions[0]!;
    assert.equal(s.endsAt.getTime() - s.startsAt.getTime(), 86_400_000);
    assert.match(s.startsAt.toISOString(), /T2[23]:00:00\.000Z$/, 'midnight in Amsterdam');
  });

  test('recurring events expand: an endless rule is capped, EXDATEs and RDATEs are honoured', () => {
    const daily = parseCalendar(fixture('icaljs-samples-daily_recur.ics'), { until }).events[0]!;
    assert.equal(daily.sessions.length, 200, 'an endless daily rule stops at 200 sessions');
    assert.equal(daily.sessions[1]!.startsAt.getTime() - daily.sessions[0]!.startsAt.getTime(), 86_400_000);
    const finite = parseCalendar(fixture('icaljs-samples-recur_instances_finite.ics'), { until }).events;
    assert.ok(finite.length >= 1 && finite[0]!.sessions.length > 1);
    const instances = parseCalendar(fixture('icaljs-samples-recur_instances.ics'), { until: new Date('2013-06-01T00:00:00Z') });
    const starts = instances.events.flatMap((e) => e.sessions.map((x) => x.startsAt.toISOString()));
    for (const rdate of ['2012-11-10T18:00:00.000Z', '2012-11-30T18:00:00.000Z']) assert.ok(starts.includes(rdate), `RDATE ${rdate}`);
    for (const exdate of ['2012-12-04T18:00:00.000Z', '2013-02-05T18:00:00.000Z', '2013-04-02T17:00:00.000Z']) assert.ok(!starts.includes(exdate), `EXDATE ${exdate}`);
    assert.ok(starts.includes('2013-01-01T18:00:00.000Z'), 'the monthly rule: first Tuesday, 10:00 in Los Angeles');
    assert.deepEqual(starts, [...starts].sort(), 'sessions in time order');
    const multiple = parseCalendar(fixture('icaljs-samples-multiple_rrules.ics'), { until }).events[0]!;
    assert.ok(multiple.sessions.length > 1);
  });

  test('bad events are reported and skipped while the good ones are read', () => {
    const rfc = parseCalendar(fixture('libical-2445.ics'), { until });
    assert.ok(rfc.events.length >= 3);
    assert.ok(rfc.problems.some((p) => p.reason === 'no UID' && p.title === 'Bastille Day Party'));
    assert.ok(rfc.problems.some((p) => /could not be read/.test(p.reason)));
    const noTitle = parseCalendar(fixture('icaljs-samples-rdate_exdate.ics'), { until });
    assert.deepEqual(noTitle.problems.map((p) => p.reason), ['no title (SUMMARY)']);
    const stray = parseCalendar(fixture('libical-recur-errors.ics'), { until });
    assert.equal(stray.events.length, 0);
    assert.ok(stray.problems.length >= 1);
  });

  test('hostile input never throws: junk, a broken file, huge values, random text', () => {
    const junk = parseCalendar(fixture('libical-stresstest.ics'));
    assert.equal(junk.events.length, 0);
    assert.ok(junk.problems.length >= 1);
    // one broken line does not cost the other events
    const mixed = [
      'BEGIN:VCALENDAR', 'VERSION:2.0',
      'BEGIN:VEVENT', 'UID:good-1', 'SUMMARY:Goed event', 'DTSTART:20260310T183000Z', 'DTEND:20260310T200000Z', 'END:VEVENT',
      'BEGIN:VEVENT', 'UID:bad-1', 'SUMMARY:Kapot', 'DTSTART:2026-99-99', 'this line is not a property', 'END:VEVENT',
      'BEGIN:VEVENT', 'UID:bad-2', 'SUMMARY:Eindigt voor begin', 'DTSTART:20260310T183000Z', 'DTEND:20260310T170000Z', 'END:VEVENT',
      'BEGIN:VEVENT', 'UID:long', `SUMMARY:${'x'.repeat(5000)}`, 'DTSTART;TZID=Nowhere/Land:20260311T100000', 'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n');
    const r = parseCalendar(mixed, { until });
    assert.deepEqual(r.events.map((e) => e.uid).sort(), ['good-1', 'long']);
    assert.equal(r.events.find((e) => e.uid === 'long')!.title.length, 200);
    assert.ok(r.problems.some((p) => p.uid === 'bad-1'));
    assert.ok(r.problems.some((p) => p.uid === 'bad-2' && p.reason === 'ends before it starts'));
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => {
      const out = parseCalendar(`BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\n${s}\r\nEND:VEVENT\r\nEND:VCALENDAR`);
      assert.ok(Array.isArray(out.events) && Array.isArray(out.problems));
    }), { numRuns: 300 });
    assert.equal(parseCalendar('').events.length, 0);
  });
});
