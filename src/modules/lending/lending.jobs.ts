// Background jobs of lending (issue #6 item 5). The platform's job runner (src/worker.ts) schedules
// them; `eenbieb job <name>` runs one once. Every job walks all libraries, works in short tenant
// transactions (one batch of members, or one hold or loan, at a time) and is safe to run on several
// processes at once: a notice is queued in the same transaction that claims its loans, and the
// claim skips rows another process has locked, so a loan is reminded once whoever runs the job.
import { sql } from 'kysely';
import type { Ctx } from '../../platform/context.ts';
import type { JobRegistry } from '../../platform/jobs.ts';
import { inTenant } from '../../platform/db/tenant.ts';
import { anonymiseLoanHistory } from './desk.service.ts';
import { expireDigital } from './digital.service.ts';
import { expireReadyHolds } from './holds.service.ts';
import { lendingLibraries, notify, type NoticeLibrary, type NoticeLoan } from './lending.notices.ts';
import { dueDate } from './loan-rules.ts';

/** The reminder goes out on the third day before the due date (due Thursday → Monday). */
export const REMIND_DAYS_BEFORE = 3;
/**
 * Overdue notices: the first the day after the due date, then once a week while the loan stays
 * overdue, for three weeks (at most three notices). After that the library's own follow-up (a call,
 * or billing a lost item) takes over; an endless weekly mail would only teach people to ignore it.
 * Each notice is recorded in loan.overdue_noticed_at; a renewal clears it (a new due date).
 */
export const OVERDUE_REPEAT_DAYS = 7;
export const OVERDUE_NOTICE_WEEKS = 3;

/** Members per transaction: a batch claims all their due loans and queues one mail each. */
const MEMBERS_PER_BATCH = 100;
const DAY = 86_400_000;

type Claimed = { id: string; accountId: string; dueAt: Date; title: string };

/**
 * Claims loans of a batch of members and queues one notice per member, in one short transaction;
 * repeats until nothing is left. `due` is the SQL condition on loan `l` that makes a loan due for
 * this notice; `stamp` the column that records it.
 *
 * Processes running this at once share the work and never notice a loan twice: a batch takes
 * members whose transaction-scoped advisory lock it gets (another process passes them by and takes
 * the next ones), locks their loans, and checks the condition again on the locked rows, so a
 * member whose loans were claimed and committed meanwhile yields nothing. One member's loans thus
 * stay in one mail.
 */
async function noticeBatches(ctx: Ctx, lib: NoticeLibrary, now: Date, kind: 'due_soon' | 'overdue'): Promise<number> {
  const due = kind === 'due_soon'
    ? sql`l.reminded_at IS NULL AND l.due_at > ${now} AND l.due_at <= ${dueDate(now, REMIND_DAYS_BEFORE)}`
    : sql`l.due_at < ${now} AND (l.overdue_noticed_at IS NULL OR (l.overdue_noticed_at <= ${new Date(now.getTime() - OVERDUE_REPEAT_DAYS * DAY)}
          AND l.due_at > ${new Date(now.getTime() - OVERDUE_NOTICE_WEEKS * OVERDUE_REPEAT_DAYS * DAY)}))`;
  const stamp = kind === 'due_soon' ? sql`reminded_at` : sql`overdue_noticed_at`;
  // physical loans only: a digital loan is not returned or renewed, it simply ends (expireDigital)
  const open = sql`l.library_id = ${lib.id} AND l.status = 'open' AND l.kind = 'physical'`;
  let mails = 0;
  for (;;) {
    const claimed = await inTenant(ctx.db, lib.id, async (tx) => {
      const { rows } = await sql<Claimed>`
        WITH members AS (
          SELECT d.account_id FROM (SELECT DISTINCT l.account_id FROM loan l WHERE ${open} AND ${due}) d
          WHERE pg_try_advisory_xact_lock(hashtextextended(${lib.id}::text || d.account_id::text, 6))
          LIMIT ${MEMBERS_PER_BATCH}
        ), mine AS (
          SELECT l.id FROM loan l WHERE ${open} AND ${due} AND l.account_id IN (SELECT account_id FROM members)
          ORDER BY l.id FOR UPDATE SKIP LOCKED
        )
        UPDATE loan l SET ${stamp} = ${now} FROM title t
        WHERE ${open} AND ${due} AND l.id IN (SELECT id FROM mine) AND t.id = l.title_id
        RETURNING l.id, l.account_id AS "accountId", l.due_at AS "dueAt", t.title`.execute(tx);
      const byMember = new Map<string, NoticeLoan[]>();
      for (const r of rows) {
        const list = byMember.get(r.accountId) ?? [];
        list.push({ title: r.title, due: r.dueAt });
        byMember.set(r.accountId, list);
      }
      for (const [accountId, loans] of byMember) {
        loans.sort((a, b) => a.due.getTime() - b.due.getTime() || a.title.localeCompare(b.title, 'nl'));
        await notify(tx, lib, accountId, kind, { loans });
      }
      mails += byMember.size;
      return rows.length;
    });
    // nothing claimed: done, or the members left are being noticed by another process
    if (claimed === 0) return mails;
  }
}

/** Job: one mail per member listing the loans due within three days; once per loan and due date. */
export async function sendDueReminders(ctx: Ctx, libraries: NoticeLibrary[], now = new Date()): Promise<number> {
  let n = 0;
  for (const lib of libraries) n += await noticeBatches(ctx, lib, now, 'due_soon');
  return n;
}

/** Job: one mail per member listing overdue loans (first notice, then weekly for three weeks). */
export async function sendOverdueNotices(ctx: Ctx, libraries: NoticeLibrary[], now = new Date()): Promise<number> {
  let n = 0;
  for (const lib of libraries) n += await noticeBatches(ctx, lib, now, 'overdue');
  return n;
}

/**
 * The lending jobs for the platform's runner. Mails go out in the daytime (hourly 07–21, so a
 * missed run is caught up within the hour); expiries run often, because a member waits for the
 * copy or licence that expiry passes on; anonymisation runs at night.
 */
export const LENDING_JOBS = {
  'lending-due-reminders': { cron: '5 7-21 * * *', about: 'mail members whose loans are due within 3 days', run: async (ctx: Ctx) => sendDueReminders(ctx, await lendingLibraries(ctx)) },
  'lending-overdue-notices': { cron: '10 7-21 * * *', about: 'mail members with overdue loans (then weekly, 3 times)', run: async (ctx: Ctx) => sendOverdueNotices(ctx, await lendingLibraries(ctx)) },
  'lending-hold-expiry': { cron: '*/15 * * * *', about: 'expire holds not collected in time; pass the copy on', run: async (ctx: Ctx) => expireReadyHolds(ctx, await lendingLibraries(ctx)) },
  'lending-digital-expiry': { cron: '*/5 * * * *', about: 'end digital loans at their due date, lapse 48-hour offers, offer free licences', run: async (ctx: Ctx) => expireDigital(ctx, await lendingLibraries(ctx)) },
  'lending-history-anonymisation': { cron: '30 3 * * *', about: 'unlink returned loans from members after the retention period (unless they keep a reading history)', run: async (ctx: Ctx) => anonymiseLoanHistory(ctx, await lendingLibraries(ctx)) },
} satisfies JobRegistry;
