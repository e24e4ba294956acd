// Demo lending: settings for the demo libraries (Utrecht allows self-checkout in the portal), and
// licence pools for the national digital collection: every open DBNL edition as a simultaneous-use
// pool (open access), plus a handful of titles under the paid licence models so that queues,
// offers and metered licences can be tried in the demo.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import type { Config } from '../../platform/config.ts';
import { systemCtx } from '../../platform/context.ts';
import { inTenant } from '../../platform/db/tenant.ts';
import { libraryUrl } from '../network/index.ts';
import { checkIn, checkOut } from './circulation.service.ts';
import { borrowDigital } from './digital.service.ts';
import { placeHold } from './holds.service.ts';
import type { NoticeLibrary } from './lending.notices.ts';
import { payCharges } from './patron.service.ts';

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

/**
 * The demo member's lending, made through the real services so every row is one the platform
 * could have written: the yearly fee paid at the desk, a returned loan that came back late (a late
 * fee below the block threshold, and a line of reading history), a loan due in two days, a fresh
 * loan, a hold and a digital loan under a publisher's licence.
 */
export async function seedDemoMember(db: Kysely<Database>, config: Config, member: { accountId: string; cardNumber: string }, librarySlug = 'utrecht'): Promise<{ loans: number; holds: number }> {
  const ctx = systemCtx(db, config, 'demo-seed');
  const library = await db.selectFrom('library').select(['id', 'slug', 'name']).where('slug', '=', librarySlug).executeTakeFirstOrThrow();
  const lib: NoticeLibrary = { id: library.id, name: library.name, url: libraryUrl(ctx, library.slug) };
  await payCharges(ctx, { libraryId: lib.id, accountId: member.accountId, amountCents: 1_000_000 });
  // one available book copy per title, several titles
  const copies = await inTenant(db, lib.id, (tx) => sql<{ barcode: string; branchId: string; titleId: string }>`
    SELECT DISTINCT ON (i.title_id) i.barcode, i.branch_id AS "branchId", i.title_id AS "titleId"
    FROM item i JOIN title t ON t.id = i.title_id
    WHERE i.library_id = ${lib.id} AND i.status = 'available' AND t.format = 'book'
    ORDER BY i.title_id, i.barcode LIMIT 4`.execute(tx));
  const [late, soon, fresh, held] = copies.rows;
  const day = 86_400_000;
  const now = Date.now();
  let loans = 0; let holds = 0;
  const patron = { cardNumber: member.cardNumber };
  if (late) {
    await checkOut(ctx, { library: lib, patron, barcode: late.barcode, branchId: late.branchId, channel: 'desk', now: new Date(now - 30 * day) });
    await checkIn(ctx, { library: lib, barcode: late.barcode, branchId: late.branchId, channel: 'desk', now: new Date(now - 6 * day) });
  }
  if (soon) { await checkOut(ctx, { library: lib, patron, barcode: soon.barcode, branchId: soon.branchId, channel: 'desk', now: new Date(now - 19 * day) }); loans++; }
  if (fresh) { await checkOut(ctx, { library: lib, patron, barcode: fresh.barcode, branchId: fresh.branchId, channel: 'desk' }); loans++; }
  if (held) { await placeHold(ctx, { library: lib, patron: { accountId: member.accountId }, titleId: held.titleId, pickupBranchId: held.branchId }); holds++; }
  const licensed = await sql<{ titleId: string }>`
    SELECT title_id AS "titleId" FROM license_pool WHERE provider <> 'open' AND owner_library_id IS NULL AND in_use + offered < coalesce(concurrency, 1000000)
    ORDER BY title_id LIMIT 1`.execute(db);
  if (licensed.rows[0]) {
    const r = await borrowDigital(ctx, { library: lib, accountId: member.accountId, titleId: licensed.rows[0].titleId, channel: 'portal' });
    if (r.outcome === 'loan') loans++;
  }
  return { loans, holds };
}
