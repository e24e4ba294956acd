// Reading an agenda exported from another tool (iCalendar, RFC 5545) with ical.js. Pure: text in,
// events and a per-event report out. Recurring events are expanded to sessions (with their
// exceptions and EXDATEs); broken or hostile events are reported and skipped, never a crash.
import ICAL from 'ical.js';
import { amsterdamToUtc } from './amsterdam-time.ts';

export interface ImportedEvent {
  uid: string;
  title: string;
  description: string;
  location: string | null;
  themes: string[];
  cancelled: boolean;
  sessions: { startsAt: Date; endsAt: Date }[];
}

export interface ImportProblem {
  uid: string | null;
  title: string | null;
  reason: string;
}

export interface ParseOptions {
  /** Occurrences of recurring events are taken up to this moment (default: two years ahead). */
  until?: Date;
  /** The most sessions per event (an activity holds at most 200). */
  maxSessions?: number;
  /** The most events per file. */
  maxEvents?: number;
}

const clip = (s: string, n: number) => (s.length > n ? s.slice(0, n) : s);

/** VCALENDARs of a parse result, plus the parse root itself for stray top-level VEVENTs. */
function containersOf(parsed: unknown): ICAL.Component[] {
  const list = (Array.isArray(parsed) && Array.isArray(parsed[0]) ? parsed : [parsed]) as unknown[];
  const root = new ICAL.Component(['x-root', [], list as never]);
  return [...root.getAllSubcomponents('vcalendar'), root];
}

/** A time from the file as an instant: with a zone as given; floating or all-day as Amsterdam. */
function instant(t: ICAL.Time): Date | null {
  if (t.isDate) return amsterdamToUtc(`${t.year}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`);
  const zone = t.zone;
  if (!zone || zone === ICAL.Timezone.localTimezone) {
    const d = `${t.year}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
    const at = amsterdamToUtc(d, `${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`);
    return at ? new Date(at.getTime() + t.second * 1000) : null;
  }
  const ms = t.toUnixTime() * 1000;
  return Number.isFinite(ms) ? new Date(ms) : null;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.replace(/\u0000/g, '').trim() : '';
}

export function parseCalendar(input: string, options: ParseOptions = {}): { events: ImportedEvent[]; problems: ImportProblem[] } {
  const until = options.until ?? new Date(Date.now() + 2 * 365 * 86_400_000);
  const maxSessions = options.maxSessions ?? 200;
  const maxEvents = options.maxEvents ?? 2000;
  const problems: ImportProblem[] = [];
  let containers: ICAL.Component[];
  try {
    containers = containersOf(ICAL.parse(input));
  } catch (error) {
    // One broken line must not cost the whole agenda: read the events one by one instead.
    problems.push({ uid: null, title: null, reason: `the file as a whole is not valid iCalendar (${clip((error as Error).message ?? 'parse error', 160)}); events were read one by one` });
    containers = [];
    const chunks = input.match(/^BEGIN:(VEVENT|VTIMEZONE)\r?$[\s\S]*?^END:\1\r?$/gm) ?? [];
    for (const chunk of chunks.slice(0, maxEvents * 2)) {
      try {
        containers.push(...containersOf(ICAL.parse(`BEGIN:VCALENDAR\r\nVERSION:2.0\r\n${chunk}\r\nEND:VCALENDAR\r\n`)));
      } catch (e) {
        const uid = /^UID:(.*)$/m.exec(chunk)?.[1]?.trim() ?? null;
        const summary = /^SUMMARY:(.*)$/m.exec(chunk)?.[1]?.trim() ?? null;
        problems.push({ uid: uid && clip(uid, 200), title: summary && clip(summary, 200), reason: `could not be read: ${clip((e as Error).message ?? 'parse error', 160)}` });
      }
    }
  }
  if (!containers.some((c) => c.getAllSubcomponents('vevent').length)) {
    if (!problems.length) problems.push({ uid: null, title: null, reason: 'no events (VEVENT) in the file' });
    return { events: [], problems };
  }
  const calendars = containers;

  // Time zones defined in the file itself, so TZID references resolve.
  for (const cal of calendars) {
    for (const vtz of cal.getAllSubcomponents('vtimezone')) {
      try {
        const tz = new ICAL.Timezone(vtz);
        if (tz.tzid && !ICAL.TimezoneService.has(tz.tzid)) ICAL.TimezoneService.register(tz);
      } catch {
        problems.push({ uid: null, title: null, reason: 'a VTIMEZONE could not be read; its times are taken as Amsterdam time' });
      }
    }
  }

  // Group by UID: the master event and its exceptions (RECURRENCE-ID).
  const groups = new Map<string, { master: ICAL.Component | null; exceptions: ICAL.Component[] }>();
  let anonymous = 0;
  for (const cal of calendars) {
    for (const ve of cal.getAllSubcomponents('vevent')) {
      const uid = text(ve.getFirstPropertyValue('uid')) || `no-uid-${++anonymous}`;
      const g = groups.get(uid) ?? { master: null, exceptions: [] };
      if (ve.hasProperty('recurrence-id')) g.exceptions.push(ve);
      else if (g.master) problems.push({ uid, title: text(ve.getFirstPropertyValue('summary')) || null, reason: 'a second event with the same UID was skipped' });
      else g.master = ve;
      groups.set(uid, g);
    }
  }

  const events: ImportedEvent[] = [];
  for (const [uid, g] of groups) {
    const title = g.master ? text(g.master.getFirstPropertyValue('summary')) : '';
    const report = (reason: string) => problems.push({ uid: uid.startsWith('no-uid-') ? null : clip(uid, 200), title: title ? clip(title, 200) : null, reason });
    if (events.length >= maxEvents) { report(`more than ${maxEvents} events in one file: the rest was skipped`); continue; }
    if (!g.master) { report('only changed occurrences (RECURRENCE-ID) without the event itself'); continue; }
    if (uid.startsWith('no-uid-')) { report('no UID'); continue; }
    if (title.length < 2) { report('no title (SUMMARY)'); continue; }
    try {
      const event = new ICAL.Event(g.master);
      for (const ex of g.exceptions) {
        try { event.relateException(ex); } catch { report('a changed occurrence could not be applied and was ignored'); }
      }
      if (!event.startDate) { report('no start (DTSTART)'); continue; }
      const sessions: { startsAt: Date; endsAt: Date }[] = [];
      // without DTEND or DURATION an event lasts a day (all-day) or, for a library agenda, an hour
      const hasEnd = g.master.hasProperty('dtend') || g.master.hasProperty('duration');
      const add = (start: ICAL.Time, end: ICAL.Time | null) => {
        const s = instant(start);
        let e = end && hasEnd ? instant(end) : null;
        if (!s) return 'a date that does not exist';
        if (!e) e = new Date(s.getTime() + (start.isDate ? 86_400_000 : 3_600_000));
        if (e.getTime() <= s.getTime()) return 'ends before it starts';
        sessions.push({ startsAt: s, endsAt: e });
        return null;
      };
      if (event.isRecurring()) {
        const it = event.iterator();
        let steps = 0;
        let bad: string | null = null;
        for (let next = it.next(); next && sessions.length < maxSessions && steps < 10_000; next = it.next(), steps++) {
          // an RDATE given as a PERIOD comes back as a period: its start is the occurrence
          const time = (typeof (next as { convertToZone?: unknown }).convertToZone === 'function' ? next : (next as unknown as { start: ICAL.Time }).start);
          const details = event.getOccurrenceDetails(time);
          const at = instant(details.startDate);
          if (at && at.getTime() > until.getTime()) break;
          // an occurrence moved or cancelled through its exception
          if (details.item.component.getFirstPropertyValue('status') === 'CANCELLED' && details.item !== event) continue;
          bad = add(details.startDate, details.endDate) ?? bad;
        }
        if (bad && !sessions.length) { report(bad); continue; }
      } else {
        const bad = add(event.startDate, event.endDate);
        if (bad) { report(bad); continue; }
      }
      if (!sessions.length) { report('no occurrences in the import window'); continue; }
      sessions.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
      const categories = g.master.getAllProperties('categories').flatMap((p) => p.getValues().map((v) => text(v))).filter(Boolean);
      events.push({
        uid: clip(uid, 500),
        title: clip(title, 200),
        description: clip(text(g.master.getFirstPropertyValue('description')), 10000),
        location: text(g.master.getFirstPropertyValue('location')) ? clip(text(g.master.getFirstPropertyValue('location')), 300) : null,
        themes: [...new Set(categories.map((c) => clip(c, 60)))].slice(0, 20),
        cancelled: text(g.master.getFirstPropertyValue('status')).toUpperCase() === 'CANCELLED',
        sessions,
      });
    } catch (error) {
      report(`could not be read: ${clip((error as Error).message ?? 'error', 200)}`);
    }
  }
  return { events, problems };
}
