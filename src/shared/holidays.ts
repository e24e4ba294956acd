// Dutch public holidays on which libraries usually close, for the demo seed and for staff who
// want to add them to a branch's exceptions. Easter by the anonymous Gregorian algorithm
// (Meeus/Jones/Butcher). Koningsdag moves to the 26th when 27 April is a Sunday.

export interface Holiday {
  date: string; // YYYY-MM-DD
  nl: string;
  en: string;
}

function iso(y: number, m: number, d: number): string {
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export function easterSunday(year: number): { month: number; day: number } {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return { month, day };
}

function plusDays(year: number, month: number, day: number, days: number): string {
  const t = new Date(Date.UTC(year, month - 1, day + days));
  return iso(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

export function dutchHolidays(year: number): Holiday[] {
  const { month, day } = easterSunday(year);
  const kingsDay = new Date(Date.UTC(year, 3, 27)).getUTCDay() === 0 ? 26 : 27;
  return [
    { date: iso(year, 1, 1), nl: 'Nieuwjaarsdag', en: "New Year's Day" },
    { date: plusDays(year, month, day, -2), nl: 'Goede Vrijdag', en: 'Good Friday' },
    { date: plusDays(year, month, day, 0), nl: 'Eerste paasdag', en: 'Easter Sunday' },
    { date: plusDays(year, month, day, 1), nl: 'Tweede paasdag', en: 'Easter Monday' },
    { date: iso(year, 4, kingsDay), nl: 'Koningsdag', en: "King's Day" },
    { date: iso(year, 5, 5), nl: 'Bevrijdingsdag', en: 'Liberation Day' },
    { date: plusDays(year, month, day, 39), nl: 'Hemelvaartsdag', en: 'Ascension Day' },
    { date: plusDays(year, month, day, 49), nl: 'Eerste pinksterdag', en: 'Whit Sunday' },
    { date: plusDays(year, month, day, 50), nl: 'Tweede pinksterdag', en: 'Whit Monday' },
    { date: iso(year, 12, 25), nl: 'Eerste kerstdag', en: 'Christmas Day' },
    { date: iso(year, 12, 26), nl: 'Tweede kerstdag', en: 'Boxing Day' },
  ].sort((a, b) => a.date.localeCompare(b.date));
}
