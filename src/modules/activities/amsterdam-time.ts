// Activities happen in Dutch local time. Staff type dates and times as they read them on the
// wall clock in Europe/Amsterdam; the database stores instants (timestamptz).
import { TIME_ZONE } from '../../shared/opening-hours.ts';

const parts = new Intl.DateTimeFormat('en-CA', {
  timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

/** Wall-clock parts in Amsterdam of an instant: { date: 'YYYY-MM-DD', time: 'HH:MM' }. */
export function amsterdamParts(at: Date): { date: string; time: string } {
  const p = Object.fromEntries(parts.formatToParts(at).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
}

function offsetMs(at: Date): number {
  const p = Object.fromEntries(parts.formatToParts(at).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/**
 * The instant of a wall-clock time in Amsterdam. In the autumn hour that occurs twice the first
 * (summer time) is meant; a spring-forward time that does not exist moves an hour on.
 */
export function amsterdamToUtc(date: string, time = '00:00'): Date | null {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})$/.exec(time);
  if (!d || !t) return null;
  const [y, m, day, h, min] = [Number(d[1]), Number(d[2]), Number(d[3]), Number(t[1]), Number(t[2])];
  if (m < 1 || m > 12 || day < 1 || day > 31 || h > 23 || min > 59) return null;
  const naive = Date.UTC(y, m - 1, day, h, min);
  if (new Date(naive).getUTCDate() !== day) return null;
  // try the summer offset first (the earlier instant), then winter
  for (const guess of [naive - 2 * 3600_000, naive - 3600_000]) {
    if (guess + offsetMs(new Date(guess)) === naive) return new Date(guess);
  }
  return new Date(naive - offsetMs(new Date(naive - 3600_000)));
}
