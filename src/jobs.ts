// Periodic jobs of the platform, run by every server process. Each job is safe to run on several
// processes at once: erasure works account by account in its own transaction, reminders claim
// each session with an UPDATE before mailing, so a reminder goes out once, and expiring
// idempotency keys is one DELETE.
// TODO(#6): move to pg-boss (worker.ts) when lending adds its due-date and hold jobs.
import type { Kysely } from 'kysely';
import type { Config } from './platform/config.ts';
import { systemCtx } from './platform/context.ts';
import type { Database } from './platform/db/database.ts';
import { expireIdempotencyKeys } from './platform/http/idempotency.ts';
import { eraseDueAccounts } from './modules/membership/index.ts';
import { sendReminders } from './modules/activities/index.ts';

export const JOBS = {
  'erase-due-accounts': { everyMs: 60 * 60_000, run: (db: Kysely<Database>, config: Config) => eraseDueAccounts(systemCtx(db, config, 'erase-due-accounts')) },
  'activity-reminders': { everyMs: 15 * 60_000, run: (db: Kysely<Database>, config: Config) => sendReminders(systemCtx(db, config, 'activity-reminders')) },
  'expire-idempotency-keys': { everyMs: 60 * 60_000, run: (db: Kysely<Database>, _config: Config) => expireIdempotencyKeys(db) },
} as const;

export type JobName = keyof typeof JOBS;

/** Starts the timers; returns a function that stops them (graceful shutdown). */
export function startJobs(db: Kysely<Database>, config: Config, log: (line: string) => void): () => void {
  const timers = Object.entries(JOBS).map(([name, job]) => {
    const tick = () => job.run(db, config).then(
      (n) => { if (n) log(`job ${name}: ${n}`); },
      // a failing job is reported and tried again at the next tick; it never stops the server
      (e: unknown) => log(`job ${name} failed: ${e instanceof Error ? e.message : String(e)}`),
    );
    const timer = setInterval(tick, job.everyMs);
    timer.unref();
    return timer;
  });
  return () => timers.forEach(clearInterval);
}
