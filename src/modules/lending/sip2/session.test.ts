import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PinThrottle, mediaType } from './session.ts';

describe('PIN throttle of the SIP2 server', () => {
  const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 12, minutes));

  it('after 5 wrong PINs a card is blocked for the rest of the 15-minute window', () => {
    const t = new PinThrottle();
    for (let i = 0; i < 4; i++) t.fail('lib:card', at(i));
    assert.equal(t.blocked('lib:card', at(4)), false);
    t.fail('lib:card', at(4));
    assert.equal(t.blocked('lib:card', at(5)), true);
    assert.equal(t.blocked('lib:other', at(5)), false, 'other cards are not affected');
    assert.equal(t.blocked('lib:card', at(16)), false, 'the window has passed');
  });

  it('a right PIN forgives the earlier mistakes', () => {
    const t = new PinThrottle();
    for (let i = 0; i < 4; i++) t.fail('k', at(0));
    t.succeed('k');
    for (let i = 0; i < 4; i++) t.fail('k', at(1));
    assert.equal(t.blocked('k', at(1)), false);
  });

  it('keeps bounded memory', () => {
    const t = new PinThrottle(1, 60_000, 3);
    for (const k of ['a', 'b', 'c', 'd']) t.fail(k, at(0));
    assert.equal(t.blocked('a', at(0)), false, 'the oldest entry was dropped');
    assert.equal(t.blocked('d', at(0)), true);
  });
});

describe('SIP2 media types', () => {
  it('maps catalogue formats to the spec\'s media type codes', () => {
    assert.equal(mediaType('book'), '001');
    assert.equal(mediaType('magazine'), '002');
    assert.equal(mediaType('dvd'), '006');
    assert.equal(mediaType(null), '000');
  });
});
