// The check-out, check-in and borrow functions (db/migrations/0095, 0096) evaluate some of the pure
// rules of loan-rules.ts in SQL. These properties hold the two versions to the same answers.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { testDatabase } from '../../../test/support/db.ts';
import type { Db } from '../../platform/db/connection.ts';
import { dueDate, poolHasRoom, poolOrder, type PoolState } from './loan-rules.ts';

let db: Db;
before(async () => { db = await testDatabase(); });
after(async () => { await db.close(); });

// 2000…2100, any millisecond (both sides of every daylight-saving change)
const instant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }).map((ms) => new Date(ms));

test('eenbieb_due_date equals dueDate for any moment and loan period', async () => {
  await fc.assert(fc.asyncProperty(instant, fc.integer({ min: 1, max: 120 }), async (from, days) => {
    const { rows } = await sql<{ due: Date }>`SELECT eenbieb_due_date(${from}, ${days}) AS due`.execute(db.kysely);
    assert.equal(rows[0]!.due.toISOString(), dueDate(from, days).toISOString());
  }), { numRuns: 200 });
});

test('eenbieb_pool_pick picks the pool poolOrder and poolHasRoom pick, or none', async () => {
  const now = new Date(Date.UTC(2026, 5, 1, 12));
  const model = fc.constantFrom('one_copy_one_user', 'simultaneous', 'metered_loans', 'metered_time') as fc.Arbitrary<PoolState['model']>;
  const pool = model.chain((m) => fc.record({
    model: fc.constant(m),
    concurrency: m === 'simultaneous' ? fc.constant(null) : fc.integer({ min: 1, max: 4 }),
    loansTotal: m === 'metered_loans' ? fc.integer({ min: 1, max: 6 }) : fc.constant(null),
    validUntil: m === 'metered_time' ? fc.integer({ min: -3, max: 5 }).map((d) => new Date(now.getTime() + d * 86_400_000 + 1000)) : fc.constant(null),
    used: fc.integer({ min: 0, max: 4 }),
    priority: fc.integer({ min: 0, max: 2 }),
  }));
  await fc.assert(fc.asyncProperty(fc.array(pool, { minLength: 1, maxLength: 4 }), async (specs) => {
    // counters as the CHECKs allow them: in_use within concurrency, loans_used within the total
    const states: PoolState[] = specs.map((p, i) => {
      const inUse = Math.min(p.used, p.concurrency ?? Infinity, p.loansTotal ?? Infinity);
      const loansUsed = p.loansTotal === null ? inUse : Math.min(p.loansTotal, Math.max(inUse, p.used + 1));
      return { id: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`, model: p.model, concurrency: p.concurrency, loansTotal: p.loansTotal,
        validUntil: p.validUntil, inUse, loansUsed, offered: 0, priority: p.priority, loanPeriodDays: 21 };
    });
    const expected = [...states].sort(poolOrder).find((p) => poolHasRoom(p, now))?.id ?? null;
    // the same pools as rows of a title without pools, in a transaction that is rolled back
    const rollback = new Error('rollback');
    const picked = await db.kysely.transaction().execute(async (tx) => {
      const title = await sql<{ id: string }>`SELECT t.id FROM title t WHERE NOT EXISTS (SELECT 1 FROM license_pool p WHERE p.title_id = t.id) LIMIT 1`.execute(tx);
      const tid = title.rows[0]!.id;
      for (const p of states) {
        await sql`INSERT INTO license_pool (id, title_id, provider, model, concurrency, loans_total, valid_until, in_use, loans_used, offered, priority)
          VALUES (${p.id}, ${tid}, 'demo', ${p.model}, ${p.concurrency}, ${p.loansTotal}, ${p.validUntil}, ${p.inUse}, ${p.loansUsed}, 0, ${p.priority})`.execute(tx);
      }
      const { rows } = await sql<{ id: string | null }>`SELECT (eenbieb_pool_pick(${tid}, ${now}, false)).id AS id`.execute(tx);
      throw Object.assign(rollback, { picked: rows[0]!.id });
    }).catch((e: unknown) => { if (e !== rollback) throw e; return (e as { picked: string | null }).picked; });
    assert.equal(picked, expected);
  }), { numRuns: 150 });
});
