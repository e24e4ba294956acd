// Library card numbers: the library's 5-digit prefix, an 8-digit serial from the library's
// counter (row-locked while it is incremented, so two sign-ups never get the same number) and a
// Luhn check digit.
import { sql } from 'kysely';
import type { Tx } from '../../platform/db/tenant.ts';
import { luhnCheckDigit } from '../../shared/luhn.ts';
import { NoCardSeries } from './membership.errors.ts';

export function cardNumber(prefix: string, serial: number): string {
  const body = `${prefix}${String(serial).padStart(8, '0')}`;
  return `${body}${luhnCheckDigit(body)}`;
}

export function formatCard(number: string): string {
  return number.replace(/(\d{5})(\d{4})(\d{4})(\d)/, '$1 $2 $3 $4');
}

export async function issueCardNumber(tx: Tx, libraryId: string, prefix: string | null): Promise<string> {
  if (!prefix) throw NoCardSeries();
  const { rows } = await sql<{ serial: number }>`
    insert into card_sequence (library_id, last_serial) values (${libraryId}, 1)
    on conflict (library_id) do update set last_serial = card_sequence.last_serial + 1
    returning last_serial::int as serial`.execute(tx);
  return cardNumber(prefix, rows[0]!.serial);
}
