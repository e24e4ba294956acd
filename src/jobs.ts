// The platform's periodic jobs: every module's jobs in one registry. `serve` runs them on pg-boss
// in-process (src/worker.ts), `eenbieb worker` runs them without the web server, and
// `eenbieb job <name>` runs one once, now, without pg-boss. Each job is safe to run on several
// processes at once: erasure works account by account in its own transaction, reminders claim
// what they mail in the transaction that queues the mail, and expiring idempotency keys is one
// DELETE.
import type { Kysely } from 'kysely';
import type { Config } from './platform/config.ts';
import { systemCtx, type Ctx } from './platform/context.ts';
import type { Database } from './platform/db/database.ts';
import { expireIdempotencyKeys } from './platform/http/idempotency.ts';
import type { JobRegistry } from './platform/jobs.ts';
import { eraseDueAccounts } from './modules/membership/index.ts';
import { sendReminders } from './modules/activities/index.ts';
import { refreshSearchStatistics } from './modules/catalogue/index.ts';
import { LENDING_JOBS } from './modules/lending/index.ts';

export const JOBS = {
  'erase-due-accounts': { cron: '7 * * * *', about: 'erase accounts whose 14-day grace has passed', run: (ctx: Ctx) => eraseDueAccounts(ctx) },
  'activity-reminders': { cron: '*/15 * * * *', about: 'mail registrants a day before an activity', run: (ctx: Ctx) => sendReminders(ctx) },
  'expire-idempotency-keys': { cron: '17 * * * *', about: 'forget Idempotency-Key answers older than a day', run: (ctx: Ctx) => expireIdempotencyKeys(ctx.db) },
  'search-statistics': { cron: '40 3 * * *', about: 'rebuild the search vocabulary ("Bedoelde u") and the popularity tiers of the search documents', run: (ctx: Ctx) => refreshSearchStatistics(ctx.db) },
  ...LENDING_JOBS,
} satisfies JobRegistry;

export type JobName = keyof typeof JOBS;

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(JOBS, name);
}

/** Runs one job once, now, in this process (the CLI's `job <name>`). */
export function runJobOnce(name: JobName, db: Kysely<Database>, config: Config): Promise<number> {
  return JOBS[name].run(systemCtx(db, config, name));
}
