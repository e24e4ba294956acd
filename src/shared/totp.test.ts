import assert from 'node:assert/strict';
import { test } from 'node:test';
import { base32Decode, base32Encode, hotp, totp, verifyTotp } from './totp.ts';

// RFC 6238 appendix B, SHA-1 with the 20-byte ASCII secret "12345678901234567890" (8 digits).
test('RFC 6238 test vectors', () => {
  const secret = Buffer.from('12345678901234567890');
  const vectors: [number, string][] = [[59, '94287082'], [1111111109, '07081804'], [1111111111, '14050471'], [1234567890, '89005924'], [2000000000, '69279037'], [20000000000, '65353130']];
  for (const [t, expected] of vectors) assert.equal(hotp(secret, Math.floor(t / 30), 8), expected, String(t));
});

test('RFC 4226 HOTP vectors', () => {
  const secret = Buffer.from('12345678901234567890');
  assert.deepEqual([0, 1, 2, 3, 9].map((c) => hotp(secret, c)), ['755224', '287082', '359152', '969429', '520489']);
});

test('base32 round trip and totp verification with one step of drift', () => {
  const secret = base32Encode(Buffer.from('12345678901234567890'));
  assert.equal(secret, 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  assert.deepEqual(base32Decode(secret), Buffer.from('12345678901234567890'));
  const now = 1_700_000_000_000;
  assert.ok(verifyTotp(secret, totp(secret, now), now));
  assert.ok(verifyTotp(secret, totp(secret, now - 30_000), now));
  assert.ok(!verifyTotp(secret, totp(secret, now - 90_000), now));
  assert.ok(!verifyTotp(secret, 'abcdef', now));
});
