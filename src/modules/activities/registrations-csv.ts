// The registration list as CSV (RFC 4180) for a spreadsheet. Cells that a spreadsheet would run
// as a formula (=, +, -, @) are prefixed with an apostrophe (CSV injection).
import type { RegistrationRow } from './activities.service.ts';
import { amsterdamParts } from './amsterdam-time.ts';

export function csvCell(value: string | number | null | undefined): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function registrationsCsv(rows: Pick<RegistrationRow, 'startsAt' | 'status' | 'waitlistPosition' | 'email' | 'givenName' | 'familyName' | 'createdAt' | 'checkedInAt'>[]): string {
  const header = ['datum', 'tijd', 'status', 'wachtlijstplaats', 'naam', 'e-mail', 'aangemeld', 'ingecheckt'];
  const when = (d: Date | null) => (d ? `${amsterdamParts(d).date} ${amsterdamParts(d).time}` : '');
  const lines = rows.map((r) => [
    amsterdamParts(r.startsAt).date, amsterdamParts(r.startsAt).time, r.status, r.waitlistPosition,
    r.givenName ? `${r.givenName} ${r.familyName}` : '', r.email, when(r.createdAt), when(r.checkedInAt),
  ].map(csvCell).join(','));
  return `${[header.join(','), ...lines].join('\r\n')}\r\n`;
}
