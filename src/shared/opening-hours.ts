// Opening state of a branch at a moment, in the branch's own time zone (Europe/Amsterdam),
// from its weekly hours and dated exceptions. Pure: callers pass the rows and the moment.

export const TIME_ZONE = 'Europe/Amsterdam';

export interface WeeklyInterval {
  weekday: number; // ISO: 1 = Monday … 7 = Sunday
  opens: string; // HH:MM or HH:MM:SS
  closes: string;
}

export interface DateException {
  date: string; // YYYY-MM-DD
  opens: string | null;
  closes: string | null;
  reasonNl: string;
  reasonEn: string;
}

export interface LocalMoment {
  date: string; // YYYY-MM-DD
  weekday: number;
  minutes: number; // since local midnight
}

const parts = new Intl.DateTimeFormat('en-CA', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  weekday: 'short',
});
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

export function localMoment(at: Date): LocalMoment {
  const p = Object.fromEntries(parts.formatToParts(at).map((x) => [x.type, x.value]));
  return {
    date: `${p.year}-${p.month}-${p.day}`,
    weekday: WEEKDAYS[p.weekday!]!,
    minutes: Number(p.hour) * 60 + Number(p.minute),
  };
}

export function toMinutes(time: string): number {
  const [h, m] = time.split(':');
  return Number(h) * 60 + Number(m);
}

export function hhmm(time: string): string {
  return time.slice(0, 5);
}

export interface DayHours {
  intervals: { opens: string; closes: string }[];
  exception: DateException | null;
}

/** The hours that apply on a date: an exception replaces the weekly hours entirely. */
export function hoursOn(date: string, weekday: number, weekly: WeeklyInterval[], exceptions: DateException[]): DayHours {
  const exception = exceptions.find((e) => e.date === date) ?? null;
  if (exception) {
    return {
      exception,
      intervals: exception.opens && exception.closes ? [{ opens: exception.opens, closes: exception.closes }] : [],
    };
  }
  return {
    exception: null,
    intervals: weekly
      .filter((w) => w.weekday === weekday)
      .map((w) => ({ opens: w.opens, closes: w.closes }))
      .sort((a, b) => toMinutes(a.opens) - toMinutes(b.opens)),
  };
}

export type OpeningState =
  | { open: true; closesAt: string; today: DayHours }
  | { open: false; opensAt: string | null; today: DayHours };

/** Open now? If closed, when does it open later today (null: not again today). */
export function openingState(at: Date, weekly: WeeklyInterval[], exceptions: DateException[]): OpeningState {
  const now = localMoment(at);
  const today = hoursOn(now.date, now.weekday, weekly, exceptions);
  for (const interval of today.intervals) {
    if (now.minutes >= toMinutes(interval.opens) && now.minutes < toMinutes(interval.closes)) {
      return { open: true, closesAt: hhmm(interval.closes), today };
    }
  }
  const next = today.intervals.find((i) => toMinutes(i.opens) > now.minutes);
  return { open: false, opensAt: next ? hhmm(next.opens) : null, today };
}
