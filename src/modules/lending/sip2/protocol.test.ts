import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  FrameReader, LAYOUTS, MAX_FRAME_BYTES, amount, checksum, count4, encode, field, fieldsOf, languageOf, missingRequired,
  parse, parseAmount, patronStatus, readSipDate, sipDate,
} from './protocol.ts';
import { evergreenRequests, nodeSip2Messages } from './fixtures.ts';

const bytes = (s: string) => Buffer.from(s, 'latin1');

describe('SIP2 checksum', () => {
  it('is the two\'s complement of the 16-bit byte sum up to and including AZ', () => {
    // "97AZ": 57 + 55 + 65 + 90 = 267 → 0x10000 - 267 = 0xFEF5 (the Evergreen fixture's value)
    assert.equal(checksum(bytes('97AZ')), 'FEF5');
    assert.equal(checksum(bytes('9300CNLoginUserID|COLoginPassword|CPLocationCode|AY5AZ')), 'EC7B');
  });

  it('wraps at 16 bits and always gives 4 upper-case hex digits', () => {
    assert.equal(checksum(new Uint8Array(0)), '0000');
    assert.equal(checksum(new Uint8Array(300).fill(0xff)), ((0x10000 - ((300 * 0xff) & 0xffff)) & 0xffff).toString(16).toUpperCase().padStart(4, '0'));
    assert.match(checksum(bytes('a')), /^[0-9A-F]{4}$/);
  });
});

describe('SIP2 framing', () => {
  it('splits on CR and tolerates CRLF and LF', () => {
    const r = new FrameReader();
    const events = r.push(bytes('9900302.00\r9900302.01\r\n9900302.02\n'));
    assert.deepEqual(events.map((e) => ('frame' in e ? e.frame.toString() : e)), ['9900302.00', '9900302.01', '9900302.02']);
    assert.equal(r.pending, 0);
  });

  it('joins a frame that arrives in pieces, byte by byte', () => {
    const r = new FrameReader();
    const out: string[] = [];
    for (const b of bytes('23005\r')) for (const e of r.push(Buffer.from([b]))) if ('frame' in e) out.push(e.frame.toString());
    assert.deepEqual(out, ['23005']);
  });

  it('reports an oversize frame once, drops it, and reads the next frame normally', () => {
    const r = new FrameReader();
    const big = 'x'.repeat(MAX_FRAME_BYTES + 1);
    assert.deepEqual(r.push(bytes(big.slice(0, 3000))), []);
    assert.deepEqual(r.push(bytes(big.slice(3000))), []);
    const events = r.push(bytes('more\r9900302.00\r'));
    assert.equal(events.length, 2);
    assert.ok('oversize' in events[0]! && events[0].oversize === MAX_FRAME_BYTES + 5);
    assert.ok('frame' in events[1]! && events[1].frame.toString() === '9900302.00');
  });

  it('accepts a frame of exactly the maximum size', () => {
    const r = new FrameReader();
    const events = r.push(bytes(`${'9'.repeat(MAX_FRAME_BYTES)}\r`));
    assert.ok('frame' in events[0]! && events[0].frame.length === MAX_FRAME_BYTES);
  });
});

describe('SIP2 fixtures (frankdsm/node-sip2, Evergreen SIPServer)', () => {
  const messages = nodeSip2Messages();

  it('has the 22 node-sip2 messages and the 17 Evergreen requests', () => {
    assert.equal(messages.length, 22);
    assert.equal(evergreenRequests().length, 17);
  });

  for (const m of messages.filter((x) => x.checksumValid !== false)) {
    it(`${m.name} parses and round-trips byte for byte`, () => {
      const r = parse(bytes(m.message));
      assert.ok(r.ok, `${m.name}: ${!r.ok && r.reason}`);
      const again = encode(r.message, { errorDetection: r.message.checksum !== undefined, sequence: r.message.sequence });
      assert.equal(again.toString('latin1'), m.message);
      assert.deepEqual(missingRequired(r.message), []);
    });
  }

  for (const m of messages.filter((x) => x.checksumValid === false)) {
    it(`${m.name} (checksum copied from the spec, text changed) is refused as a bad checksum`, () => {
      const r = parse(bytes(m.message));
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.reason, 'bad_checksum');
    });
  }

  for (const [i, line] of evergreenRequests().entries()) {
    it(`Evergreen request ${i + 1} (${line.slice(0, 2)}) parses and round-trips`, () => {
      const r = parse(bytes(line));
      assert.ok(r.ok, `${line}: ${!r.ok && r.reason}`);
      assert.equal(encode(r.message, { errorDetection: r.message.checksum !== undefined, sequence: r.message.sequence }).toString('latin1'), line);
    });
  }

  it('reads the fields a kiosk conversation needs', () => {
    const checkout = parse(bytes('11YN20060329    203000                  AOUWOLS|AAdjfiander|AB1565921879|AC|'));
    assert.ok(checkout.ok);
    assert.equal(checkout.message.fixed.scRenewalPolicy, 'Y');
    assert.equal(checkout.message.fixed.transactionDate, '20060329    203000');
    assert.equal(checkout.message.fixed.nbDueDate, '                  ');
    assert.equal(field(checkout.message, 'AA'), 'djfiander');
    assert.equal(field(checkout.message, 'AB'), '1565921879');
    assert.equal(field(checkout.message, 'AC'), '');
    assert.equal(field(checkout.message, 'AD'), undefined);
    const login = parse(bytes('9300CNLoginUserID|COLoginPassword|CPLocationCode|AY5AZEC7B'));
    assert.ok(login.ok);
    assert.equal(login.message.sequence, 5);
    assert.equal(login.message.checksum, 'EC7B');
    assert.equal(field(login.message, 'CO'), 'LoginPassword');
  });

  it('keeps repeated fields in order', () => {
    const r = parse(bytes('36Y19980723    110658AOX|AAP|AFone|AFtwo|'));
    assert.ok(r.ok);
    assert.deepEqual(fieldsOf(r.message, 'AF'), ['one', 'two']);
  });
});

describe('SIP2 refusals', () => {
  it('a single changed byte breaks the checksum', () => {
    const good = '2300119960212    100239AOid_21|AA104000000105|AC|AD|AY2AZF271';
    assert.ok(parse(bytes(good)).ok);
    const bad = parse(bytes(good.replace('104000000105', '104000000106')));
    assert.deepEqual(bad, { ok: false, reason: 'bad_checksum', code: '23', sequence: 2 });
  });

  it('accepts a checksum in lower-case hex', () => {
    assert.ok(parse(bytes('97AZfef5')).ok);
  });

  it('refuses unknown codes, short fixed fields, malformed fields and control characters', () => {
    const reason = (s: string | Buffer) => { const r = parse(typeof s === 'string' ? bytes(s) : s); return r.ok ? 'ok' : r.reason; };
    assert.equal(reason('42hello'), 'unknown_code');
    assert.equal(reason('XX'), 'unknown_code');
    assert.equal(reason('1'), 'unknown_code');
    assert.equal(reason('11YN2006'), 'short_fixed_fields');
    assert.equal(reason('9300'), 'ok');
    assert.equal(reason('930'), 'short_fixed_fields');
    assert.equal(reason('9300cnlower|'), 'malformed_fields');
    assert.equal(reason('9300CNa\u0000b|'), 'control_characters');
    assert.equal(reason(Buffer.from([0x39, 0x39, 0x80, 0x81, 0xfe, 0x01])), 'control_characters');
    assert.equal(reason(''), 'empty');
    assert.equal(reason(Buffer.alloc(MAX_FRAME_BYTES + 1, 0x39)), 'oversize');
  });

  it('names the required variable fields a message lacks', () => {
    const r = parse(bytes('11YN20060329    203000                  AOUWOLS|AC|'));
    assert.ok(r.ok);
    assert.deepEqual(missingRequired(r.message), ['AA', 'AB']);
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
      const r = parse(Buffer.from(b));
      assert.equal(typeof r.ok, 'boolean');
    }), { numRuns: 2000 });
  });
});

describe('SIP2 character sets', () => {
  it('reads UTF-8 when the bytes are UTF-8 and ISO-8859-1 otherwise', () => {
    const utf8 = parse(Buffer.from('1720060110    215612AOUWOLS|ABCafé|', 'utf8'));
    const latin1 = parse(Buffer.from('1720060110    215612AOUWOLS|ABCafé|', 'latin1'));
    assert.ok(utf8.ok && latin1.ok);
    assert.equal(field(utf8.message, 'AB'), 'Café');
    assert.equal(field(latin1.message, 'AB'), 'Café');
  });

  it('verifies the checksum over the bytes received, in either encoding', () => {
    for (const enc of ['utf8', 'latin1'] as const) {
      const head = Buffer.from('1720060110    215612AOUWOLS|ABCafé|AY1AZ', enc);
      const r = parse(Buffer.concat([head, Buffer.from(checksum(head))]));
      assert.ok(r.ok, enc);
    }
  });

  it('writes ISO-8859-1 by default (EUR for €, accents it lacks dropped, "?" for the rest) and UTF-8 on request', () => {
    const m = { code: '36', fixed: { endSession: 'Y', transactionDate: '20260101    120000' }, fields: [['AF', 'Tot ziens, Zoë – € 2,50 – Erdős 東'] as [string, string]] };
    assert.equal(encode(m).toString('latin1'), '36Y20260101    120000AFTot ziens, Zoë - EUR 2,50 - Erdos ?|');
    assert.equal(encode(m, { encoding: 'utf8' }).toString('utf8'), '36Y20260101    120000AFTot ziens, Zoë – € 2,50 – Erdős 東|');
  });
});

describe('SIP2 writing', () => {
  it('appends AY and a valid AZ when error detection is on', () => {
    const out = encode({ code: '94', fixed: { ok: '1' }, fields: [] }, { errorDetection: true, sequence: 3 });
    assert.equal(out.toString(), '941AY3AZFDFA'); // the node-sip2 LoginResponse fixture
  });

  it('takes separators and terminators out of field values', () => {
    const out = encode({ code: '36', fixed: { endSession: 'Y', transactionDate: '20260101    120000' }, fields: [['AF', 'a|b\rc\nd']] });
    assert.equal(out.toString(), '36Y20260101    120000AFa b c d|');
  });

  it('refuses a fixed field of the wrong length (a programming error, never sent)', () => {
    assert.throws(() => encode({ code: '94', fixed: { ok: '10' }, fields: [] }), /ok must be 1/);
  });

  it('round-trips any message of any known layout (property)', () => {
    const codes = Object.keys(LAYOUTS);
    const safe = fc.string({ unit: fc.constantFrom(...'abcXYZ 0123456789-.,éü'.split('')), maxLength: 20 });
    fc.assert(fc.property(
      fc.constantFrom(...codes), fc.array(fc.tuple(fc.constantFrom('AA', 'AB', 'AF', 'AO', 'CK'), safe), { maxLength: 6 }),
      fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }), fc.boolean(),
      (code, fields, sequence, errorDetection) => {
        const fixed = Object.fromEntries(LAYOUTS[code]!.fixed.map(([name, length]) => [name, '0'.repeat(length)]));
        const wire = encode({ code, fixed, fields }, { errorDetection, sequence });
        const r = parse(wire);
        assert.ok(r.ok, `${wire.toString('latin1')}: ${!r.ok && r.reason}`);
        assert.deepEqual(r.message.fields, fields);
        assert.deepEqual(r.message.fixed, fixed);
        if (errorDetection) assert.equal(r.message.sequence, sequence);
      },
    ), { numRuns: 500 });
  });
});

describe('SIP2 field values', () => {
  it('writes dates as YYYYMMDDZZZZHHMMSS in Dutch local time (summer and winter)', () => {
    assert.equal(sipDate(new Date('2026-07-01T10:00:00Z')), '20260701    120000');
    assert.equal(sipDate(new Date('2026-01-15T23:30:05Z')), '20260116    003005');
    assert.deepEqual(readSipDate('20260701    120000'), { date: '20260701', time: '120000', utc: false });
    assert.deepEqual(readSipDate('20260701   Z100000'), { date: '20260701', time: '100000', utc: true });
    assert.equal(readSipDate(' '.repeat(18)), null);
  });

  it('reads and writes amounts, counts, languages and the patron status', () => {
    assert.equal(parseAmount('111.11'), 11111);
    assert.equal(parseAmount('3,5'), 350);
    assert.equal(parseAmount('7'), 700);
    assert.equal(parseAmount('-1'), null);
    assert.equal(parseAmount('1e3'), null);
    assert.equal(amount(1250), '12.50');
    assert.equal(count4(3), '0003');
    assert.equal(count4(123456), '9999');
    assert.equal(languageOf('001'), 'en');
    assert.equal(languageOf('005'), 'nl');
    assert.equal(languageOf('000'), null);
    assert.equal(patronStatus({}), ' '.repeat(14));
    assert.equal(patronStatus({ chargeDenied: true, excessiveFees: true }), 'Y          Y  ');
  });
});
