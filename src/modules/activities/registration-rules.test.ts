import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { closesAt, isOpen, normaliseEmail, outcome, seatsToFill } from './registration-rules.ts';

test('a free seat confirms; a full session queues at the next position', () => {
  assert.deepEqual(outcome(10, 9, 0), { status: 'confirmed' });
  assert.deepEqual(outcome(10, 10, 0), { status: 'waitlisted', position: 1 });
  assert.deepEqual(outcome(10, 10, 7), { status: 'waitlisted', position: 8 });
  assert.deepEqual(outcome(null, 5000, 0), { status: 'confirmed' });
});

test('registering one by one never confirms more than the capacity and numbers the queue 1..n', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 200 }), (capacity, people) => {
    let seats = 0;
    const queue: number[] = [];
    for (let i = 0; i < people; i++) {
      const o = outcome(capacity, seats, queue.length);
      if (o.status === 'confirmed') seats++;
      else queue.push(o.position);
    }
    assert.equal(seats, Math.min(capacity, people));
    assert.deepEqual(queue, queue.map((_, i) => i + 1));
  }));
});

test('registration closes the cut-off before the start', () => {
  const start = new Date('2026-03-10T19:00:00Z');
  assert.equal(closesAt(start, 120).toISOString(), '2026-03-10T17:00:00.000Z');
  assert.equal(isOpen(new Date('2026-03-10T16:59:59Z'), start, 120), true);
  assert.equal(isOpen(new Date('2026-03-10T17:00:00Z'), start, 120), false);
  assert.equal(isOpen(new Date('2026-03-10T18:59:59Z'), start, 0), true);
});

test('e-mail addresses are trimmed and lower-cased; malformed ones are refused', () => {
  assert.equal(normaliseEmail('  Anna.de.Vries@Example.NL '), 'anna.de.vries@example.nl');
  for (const bad of ['', 'anna', 'anna@', '@example.nl', 'anna@example', 'an na@example.nl', 'a@b.c', '"x"@y.nl', 42, null]) {
    assert.equal(normaliseEmail(bad), null, String(bad));
  }
});

test('seats to fill from the waitlist', () => {
  assert.equal(seatsToFill(10, 9, 5), 1);
  assert.equal(seatsToFill(10, 10, 5), 0);
  assert.equal(seatsToFill(10, 4, 2), 2);
  assert.equal(seatsToFill(null, 4, 3), 3);
});

test('CSV cells are quoted when needed and never start a formula', async () => {
  const { csvCell } = await import('./registrations-csv.ts');
  assert.equal(csvCell('Anna, de Vries'), '"Anna, de Vries"');
  assert.equal(csvCell('zei "hoi"'), '"zei ""hoi"""');
  assert.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvCell(null), '');
  assert.equal(csvCell(3), '3');
});
