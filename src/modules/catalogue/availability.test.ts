import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { summariseAvailability, type CopyLike } from './availability.ts';

const copy = (branchSlug: string, status: CopyLike['status'], shelf = 'R VEST'): CopyLike => ({ branchSlug, branchName: branchSlug.toUpperCase(), shelf, status });

describe('availability per branch', () => {
  test('only copies on the shelf count as available; copies on loan still count as copies', () => {
    const a = summariseAvailability([copy('noord', 'available'), copy('noord', 'on_loan'), copy('zuid', 'on_hold_shelf')]);
    assert.equal(a.copies, 3);
    assert.equal(a.available, 1);
    assert.deepEqual(a.branches.map((b) => [b.branchSlug, b.copies, b.available]), [['noord', 2, 1], ['zuid', 1, 0]]);
  });

  test('missing and withdrawn copies are not offered at all', () => {
    const a = summariseAvailability([copy('noord', 'missing'), copy('noord', 'withdrawn')]);
    assert.deepEqual(a, { copies: 0, available: 0, branches: [] });
  });

  test('branches with copies on the shelf come first, and shelves are listed once', () => {
    const a = summariseAvailability([copy('a', 'on_loan'), copy('b', 'available', 'Jeugd'), copy('b', 'available', 'Jeugd')]);
    assert.equal(a.branches[0]!.branchSlug, 'b');
    assert.deepEqual(a.branches[0]!.shelves, ['Jeugd']);
  });

  test('a group of n alike copies counts as n copies', () => {
    const grouped = summariseAvailability([{ ...copy('noord', 'available'), n: 3 }, { ...copy('noord', 'on_loan'), n: 2 }, copy('zuid', 'missing')]);
    const single = summariseAvailability([...Array(3).fill(copy('noord', 'available')), ...Array(2).fill(copy('noord', 'on_loan'))]);
    assert.deepEqual(grouped, single);
    assert.deepEqual([grouped.copies, grouped.available], [5, 3]);
  });
});
