// Growing delays after failed logins, per account (keyed by the e-mail or card number, so an
// unknown account behaves exactly like a known one) and per client address (hashed). Per account
// the first three failures are free; per address twenty, because a library's public computers or
// a school share one address. Then 2, 4, 8 … seconds, at most 15 minutes.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Tx } from '../../platform/db/tenant.ts';

const FREE_FAILURES: Record<'login' | 'ip', number> = { login: 3, ip: 20 };
const MAX_DELAY_S = 15 * 60;

export function throttleKey(kind: 'login' | 'ip', value: string): string {
  return `${kind}:${crypto.createHash('sha256').update(value.toLowerCase()).digest('hex').slice(0, 32)}`;
}

export function delaySeconds(failures: number, kind: 'login' | 'ip' = 'login'): number {
  const free = FREE_FAILURES[kind];
  if (failures < free) return 0;
  return Math.min(2 ** (failures - free + 1), MAX_DELAY_S);
}

/** Seconds the caller must still wait, or 0. */
export async function blockedFor(tx: Tx, keys: string[]): Promise<number> {
  const rows = await tx.selectFrom('loginThrottle').select(['blockedUntil']).where('key', 'in', keys).execute();
  const until = Math.max(0, ...rows.map((r) => r.blockedUntil?.getTime() ?? 0));
  return until > Date.now() ? Math.ceil((until - Date.now()) / 1000) : 0;
}

export async function recordFailure(tx: Tx, keys: string[]): Promise<void> {
  for (const key of keys) {
    // one statement per key: the counter is incremented under the row lock of the upsert
    const { rows } = await sql<{ failures: number }>`
      insert into login_throttle (key, failures, last_failure_at) values (${key}, 1, now())
      on conflict (key) do update set
        failures = case when login_throttle.last_failure_at < now() - interval '1 day' then 1 else login_throttle.failures + 1 end,
        last_failure_at = now()
      returning failures`.execute(tx);
    const delay = delaySeconds(rows[0]!.failures, key.startsWith('ip:') ? 'ip' : 'login');
    if (delay > 0) {
      await tx.updateTable('loginThrottle').set({ blockedUntil: new Date(Date.now() + delay * 1000) }).where('key', '=', key).execute();
    }
  }
}

export async function clearFailures(tx: Tx, key: string): Promise<void> {
  await tx.deleteFrom('loginThrottle').where('key', '=', key).execute();
}
