// Demo lending: settings for the demo libraries (Utrecht allows self-checkout in the portal), and
// licence pools for the national digital collection: every open DBNL edition as a simultaneous-use
// pool (open access), plus a handful of titles under the paid licence models so that queues,
// offers and metered licences can be tried in the demo.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../platform/db/database.ts';

/** Titles (by DBNL id order) that get licensed pools instead of only the open edition. */
const LICENSED = [
  { model: 'one_copy_one_user', concurrency: 2, loansTotal: null, months: null },
  { model: 'metered_loans', concurrency: 3, loansTotal: 26, months: null },
  { model: 'metered_time', concurrency: 2, loansTotal: null, months: 24 },
  { model: 'one_copy_one_user', concurrency: 1, loansTotal: null, months: null },
] as const;

export async function seedDemoLending(db: Kysely<Database>): Promise<{ pools: number }> {
  return db.transaction().execute(async (tx) => {
    await sql`INSERT INTO lending_settings (library_id, portal_self_checkout)
              SELECT id, slug = 'utrecht' FROM library ON CONFLICT (library_id) DO NOTHING`.execute(tx);
    const existing = await tx.selectFrom('licensePool').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    if (Number(existing.n) > 0) return { pools: 0 };
    // the open editions: simultaneous use, national
    const open = await sql<{ n: number }>`
      WITH ins AS (
        INSERT INTO license_pool (title_id, provider, model, loan_period_days)
        SELECT id, 'open', 'simultaneous', 21 FROM title WHERE open_access_url IS NOT NULL AND owner_library_id IS NULL AND format = 'ebook'
        RETURNING 1)
      SELECT count(*)::int AS n FROM ins`.execute(tx);
    // every 50th digital title also under a publisher's licence (used first: priority -1), so the
    // demo has titles that can be fully lent out and queued for
    const licensed = await sql<{ id: string }>`
      SELECT id FROM title WHERE open_access_url IS NOT NULL AND owner_library_id IS NULL AND format = 'ebook'
      ORDER BY popularity DESC, id LIMIT 80`.execute(tx);
    let n = open.rows[0]!.n;
    for (const [i, t] of licensed.rows.entries()) {
      const l = LICENSED[i % LICENSED.length]!;
      await tx.insertInto('licensePool').values({
        titleId: t.id, provider: 'demo-uitgeverij', model: l.model, concurrency: l.concurrency, loansTotal: l.loansTotal,
        validUntil: l.months ? new Date(Date.now() + l.months * 30 * 86_400_000) : null, priority: -1, loanPeriodDays: 21,
      }).execute();
      // these titles are lent only under the licence: the open pool is removed
      await tx.deleteFrom('licensePool').where('titleId', '=', t.id).where('provider', '=', 'open').execute();
      n++;
    }
    return { pools: n };
  });
}
