// iCalendar feeds of activities (RFC 5545), written with ical-generator: times in
// Europe/Amsterdam with a VTIMEZONE, one VEVENT per session with a stable UID so calendar apps
// update instead of duplicating.
import ical, { ICalEventStatus } from 'ical-generator';
import type { Lang } from '../../platform/i18n.ts';
import { FUNCTION_LABELS } from './activities.labels.ts';
import type { ActivityStatus, StatutoryFunction } from './activities.tables.ts';
import { amsterdamParts } from './amsterdam-time.ts';

export const TZID = 'Europe/Amsterdam';

/**
 * The current rules of Europe/Amsterdam (EU summer time since 1996: last Sunday of March 02:00
 * CET → 03:00 CEST, last Sunday of October 03:00 CEST → 02:00 CET). Enough for activities,
 * which are never before 1996.
 */
export const VTIMEZONE_AMSTERDAM = [
  'BEGIN:VTIMEZONE',
  `TZID:${TZID}`,
  `X-LIC-LOCATION:${TZID}`,
  'BEGIN:DAYLIGHT',
  'TZNAME:CEST',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'DTSTART:19700329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZNAME:CET',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'DTSTART:19701025T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
].join('\r\n');

/**
 * ical-generator writes a native Date in a named time zone with the process's local clock, which
 * is only right when the server happens to run in Amsterdam. It also accepts a TZDate-shaped
 * object (as from @date-fns/tz) and asks it for the wall clock in the zone; this adapter is that
 * shape, backed by Intl, so feeds are right whatever TZ the server has.
 */
class WallClock extends Date {
  override getFullYear() { return Number(amsterdamParts(this).date.slice(0, 4)); }
  override getMonth() { return Number(amsterdamParts(this).date.slice(5, 7)) - 1; }
  override getDate() { return Number(amsterdamParts(this).date.slice(8, 10)); }
  override getHours() { return Number(amsterdamParts(this).time.slice(0, 2)); }
  override getMinutes() { return Number(amsterdamParts(this).time.slice(3, 5)); }
  override getSeconds() { return this.getUTCSeconds(); }
}

class AmsterdamDate extends Date {
  readonly internal: Date;
  constructor(at: Date) {
    super(at.getTime());
    this.internal = new Date(at.getTime());
  }
  withTimeZone(_tz: string): Date { return new WallClock(this.getTime()); }
  tzComponents(): unknown { return amsterdamParts(this); }
}

/** Local getters that read UTC: for DTSTAMP, which RFC 5545 requires in UTC (see below). */
class UtcClock extends Date {
  override getFullYear() { return this.getUTCFullYear(); }
  override getMonth() { return this.getUTCMonth(); }
  override getDate() { return this.getUTCDate(); }
  override getHours() { return this.getUTCHours(); }
  override getMinutes() { return this.getUTCMinutes(); }
  override getSeconds() { return this.getUTCSeconds(); }
}

export interface FeedSession {
  sessionId: string;
  activityId: string;
  title: string;
  description: string;
  startsAt: Date;
  endsAt: Date;
  status: ActivityStatus;
  sessionStatus: 'scheduled' | 'cancelled';
  online: boolean;
  branchName: string | null;
  branchAddress: string | null;
  location: string | null;
  room: string | null;
  statutoryFunctions: StatutoryFunction[];
  updatedAt: Date;
}

export interface FeedOptions {
  name: string;
  /** Public address of the activity pages: `${base}${activityId}`. */
  activityBase: string;
  lang: Lang;
}

export function activitiesCalendar(sessions: FeedSession[], options: FeedOptions): string {
  const cal = ical({
    name: options.name,
    prodId: { company: 'Eenbieb', product: 'Activiteiten', language: options.lang.toUpperCase() },
    ttl: 60 * 60,
  });
  cal.timezone({ name: TZID, generator: (tz) => (tz === TZID ? VTIMEZONE_AMSTERDAM : null) });
  for (const s of sessions) {
    const url = `${options.activityBase}${s.activityId}`;
    const place = s.online ? 'Online' : [s.branchName && s.room ? `${s.branchName}, ${s.room}` : s.branchName, s.branchAddress, s.location].filter(Boolean).join(', ');
    cal.createEvent({
      id: `${s.sessionId}@activiteiten.eenbieb`,
      start: new AmsterdamDate(s.startsAt),
      end: new AmsterdamDate(s.endsAt),
      timezone: TZID,
      stamp: new UtcClock(s.updatedAt.getTime()),
      summary: s.title,
      description: `${s.description}${s.description ? '\n\n' : ''}${url}`,
      location: place || null,
      url,
      status: s.status === 'cancelled' || s.sessionStatus === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      categories: s.statutoryFunctions.map((f) => ({ name: FUNCTION_LABELS[f][options.lang] })),
    });
  }
  // With a calendar time zone, ical-generator writes DTSTAMP without the UTC marker; RFC 5545
  // §3.8.7.2 requires UTC, so the (UTC) digits get their "Z".
  return cal.toString().replace(/^DTSTAMP:(\d{8}T\d{6})\r$/gm, 'DTSTAMP:$1Z\r');
}
