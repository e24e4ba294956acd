import assert from 'node:assert/strict';
import { test } from 'node:test';
import { amsterdamParts, amsterdamToUtc } from './amsterdam-time.ts';

test('wall-clock times in Amsterdam become the right instants in winter and summer', () => {
  assert.equal(amsterdamToUtc('2026-01-15', '19:30')!.toISOString(), '2026-01-15T18:30:00.000Z');
  assert.equal(amsterdamToUtc('2026-07-15', '19:30')!.toISOString(), '2026-07-15T17:30:00.000Z');
  assert.equal(amsterdamToUtc('2026-03-29', '01:59')!.toISOString(), '2026-03-29T00:59:00.000Z');
  assert.equal(amsterdamToUtc('2026-03-29', '03:00')!.toISOString(), '2026-03-29T01:00:00.000Z');
  // 02:30 on 25 October 2026 happens twice: the first (summer time) is meant
  assert.equal(amsterdamToUtc('2026-10-25', '02:30')!.toISOString(), '2026-10-25T00:30:00.000Z');
});

test('impossible dates and times are refused', () => {
  for (const [d, t] of [['2026-02-30', '10:00'], ['2026-13-01', '10:00'], ['2026-01-01', '24:00'], ['1 jan', '10:00'], ['2026-01-01', '9:00']]) {
    assert.equal(amsterdamToUtc(d!, t!), null, `${d} ${t}`);
  }
});

test('instants read back as Amsterdam wall-clock parts', () => {
  assert.deepEqual(amsterdamParts(new Date('2026-07-15T17:30:00Z')), { date: '2026-07-15', time: '19:30' });
  assert.deepEqual(amsterdamParts(new Date('2026-12-31T23:30:00Z')), { date: '2027-01-01', time: '00:30' });
});
