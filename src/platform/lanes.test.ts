import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Lanes } from './lanes.ts';

/** A run whose calls are released by hand, recording each batch. */
function gatedRun() {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  const run = async (batch: number[]) => {
    batches.push(batch);
    await new Promise<void>((r) => gates.push(r));
    return batch.map((x) => x * 10);
  };
  const release = async () => {
    while (!gates.length) await new Promise((r) => setImmediate(r));
    gates.shift()!();
    await new Promise((r) => setImmediate(r));
  };
  return { batches, run, release };
}

describe('Lanes (group commit by key)', () => {
  it('sends a lone input at once, and what arrives meanwhile together in the next call', async () => {
    const g = gatedRun();
    const lanes = new Lanes<number, number>(g.run, 100);
    const first = lanes.submit('t', 1);
    const rest = [2, 3, 4].map((x) => lanes.submit('t', x));
    assert.deepEqual(g.batches, [[1]]);
    assert.equal(lanes.pending('t'), 4);
    await g.release();
    assert.equal(await first, 10);
    assert.deepEqual(g.batches, [[1], [2, 3, 4]]);
    await g.release();
    assert.deepEqual(await Promise.all(rest), [20, 30, 40]);
    assert.equal(lanes.pending('t'), 0);
  });

  it('keeps keys apart and bounds a batch', async () => {
    const g = gatedRun();
    const lanes = new Lanes<number, number>(g.run, 2);
    const a = [1, 2, 3, 4].map((x) => lanes.submit('a', x));
    const b = lanes.submit('b', 9);
    assert.deepEqual(g.batches, [[1], [9]]);
    await g.release();
    await g.release();
    assert.deepEqual(g.batches.slice(2), [[2, 3]]);
    await g.release();
    await g.release();
    assert.deepEqual(g.batches, [[1], [9], [2, 3], [4]]);
    assert.deepEqual(await Promise.all(a), [10, 20, 30, 40]);
    assert.equal(await b, 90);
  });

  it('rejects every input of a failed batch and carries on with the next', async () => {
    let calls = 0;
    const lanes = new Lanes<number, number>(async (batch) => {
      calls += 1;
      if (calls === 1) { await new Promise((r) => setImmediate(r)); throw new Error('boom'); }
      return batch.map((x) => Promise.resolve(x + 1));
    }, 10);
    const first = lanes.submit('k', 1);
    const second = lanes.submit('k', 2);
    await assert.rejects(first, /boom/);
    assert.equal(await second, 3);
  });
});
