// The pure lending rules: rule choice, due dates, late fees, blocks and the order of pools.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { blockReasons, daysLate, digitalDue, dueDate, estimatedWaitDays, isYouthPlan, lateFee, pickRule, poolHasRoom, poolOrder, type PoolState } from './loan-rules.ts';

const now = new Date('2026-03-10T10:00:00Z');
const pool = (p: Partial<PoolState>): PoolState => ({ id: 'p', model: 'one_copy_one_user', concurrency: 1, loansTotal: null, validUntil: null, inUse: 0, loansUsed: 0, offered: 0, priority: 0, loanPeriodDays: 21, ...p });

describe('loan rules', () => {
  test('the most specific rule wins: plan and format, then format, then plan', () => {
    const rules = [
      { planId: null, format: null, loanPeriodDays: 21, maxRenewals: null },
      { planId: 'p1', format: null, loanPeriodDays: 28, maxRenewals: null },
      { planId: null, format: 'dvd', loanPeriodDays: 7, maxRenewals: 1 },
      { planId: 'p1', format: 'dvd', loanPeriodDays: 14, maxRenewals: 0 },
    ];
    assert.equal(pickRule(rules, 'p1', 'dvd')?.loanPeriodDays, 14);
    assert.equal(pickRule(rules, 'p2', 'dvd')?.loanPeriodDays, 7);
    assert.equal(pickRule(rules, 'p1', 'book')?.loanPeriodDays, 28);
    assert.equal(pickRule(rules, 'p2', 'book')?.loanPeriodDays, 21);
    assert.equal(pickRule([], 'p2', 'book'), null);
  });

  test('a loan is due at the end of the day in Amsterdam, summer and winter', () => {
    assert.equal(dueDate(now, 21).toISOString(), '2026-03-31T21:59:00.000Z');
    assert.equal(dueDate(new Date('2026-07-01T23:30:00Z'), 1).toISOString(), '2026-07-02T21:59:00.000Z');
  });

  test('late fees per whole day, capped, never for youth plans', () => {
    const due = new Date('2026-03-01T21:59:00Z');
    assert.equal(daysLate(due, new Date('2026-03-01T21:00:00Z')), 0);
    assert.equal(daysLate(due, new Date('2026-03-02T08:00:00Z')), 1);
    const s = { lateFeeCentsPerDay: 25, maxLateFeeCents: 500 };
    assert.equal(lateFee(s, 3, false), 75);
    assert.equal(lateFee(s, 100, false), 500);
    assert.equal(lateFee(s, 3, true), 0);
    assert.equal(isYouthPlan({ maxAge: 17 }), true);
    assert.equal(isYouthPlan({ maxAge: null }), false);
  });

  test('blocks: fees above the threshold, an expired membership', () => {
    const s = { blockThresholdCents: 1000 };
    assert.deepEqual(blockReasons({ owedCents: 1000, validUntil: null, now }, s), []);
    assert.deepEqual(blockReasons({ owedCents: 1001, validUntil: '2026-01-01', now }, s), ['fees', 'expired']);
    assert.deepEqual(blockReasons({ owedCents: 0, validUntil: '2026-03-10', now }, s), []);
  });

  test('licence room counts offers as taken; metered and time licences run out', () => {
    assert.equal(poolHasRoom(pool({ concurrency: 2, inUse: 1 }), now), true);
    assert.equal(poolHasRoom(pool({ concurrency: 2, inUse: 1, offered: 1 }), now), false);
    assert.equal(poolHasRoom(pool({ model: 'simultaneous', concurrency: null, inUse: 5000 }), now), true);
    assert.equal(poolHasRoom(pool({ model: 'metered_loans', concurrency: 3, loansTotal: 26, loansUsed: 26 }), now), false);
    assert.equal(poolHasRoom(pool({ model: 'metered_time', concurrency: 3, validUntil: now }), now), false);
  });

  test('pools are used by priority, then the licences that run out anyway, open access last', () => {
    const ps = [
      pool({ id: 'open', model: 'simultaneous', concurrency: null }),
      pool({ id: 'perpetual' }),
      pool({ id: 'metered', model: 'metered_loans', loansTotal: 26 }),
      pool({ id: 'timed-late', model: 'metered_time', validUntil: new Date('2027-01-01') }),
      pool({ id: 'timed-soon', model: 'metered_time', validUntil: new Date('2026-06-01') }),
      pool({ id: 'preferred', priority: -1, model: 'simultaneous', concurrency: null }),
    ];
    assert.deepEqual([...ps].sort(poolOrder).map((p) => p.id), ['preferred', 'timed-soon', 'timed-late', 'metered', 'perpetual', 'open']);
    assert.equal(digitalDue(pool({ validUntil: new Date('2026-03-15T00:00:00Z') }), now).toISOString(), '2026-03-15T00:00:00.000Z');
  });

  test('estimated wait: copies that come back serve one holder per loan period', () => {
    assert.equal(estimatedWaitDays(1, [pool({ concurrency: 2 })], now), 21);
    assert.equal(estimatedWaitDays(5, [pool({ concurrency: 2 })], now), 63);
    assert.equal(estimatedWaitDays(1, [pool({ model: 'metered_loans', loansTotal: 2, loansUsed: 2 })], now), null);
  });
});
