// Password and PIN hashing with argon2id (@node-rs/argon2: prebuilt, no install scripts).
// Parameters follow the OWASP recommendation (19 MiB, 2 iterations, 1 lane).
import { hash, verify } from '@node-rs/argon2';

const OPTIONS = { algorithm: 2 /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashSecret(secret: string): Promise<string> {
  return hash(secret, OPTIONS);
}

export async function verifySecret(stored: string | null, secret: string): Promise<boolean> {
  // Verify against a fixed hash when there is none, so a missing account costs the same time.
  const target = stored ?? (await dummyHash());
  try {
    return (await verify(target, secret)) && stored !== null;
  } catch {
    return false;
  }
}

let dummy: Promise<string> | null = null;
function dummyHash(): Promise<string> {
  dummy ??= hash('not a real password, only for equal timing', OPTIONS);
  return dummy;
}

/** A kiosk PIN: 4 to 6 digits, not all the same, not a straight run. */
export function pinProblem(pin: string): 'format' | 'trivial' | null {
  if (!/^\d{4,6}$/.test(pin)) return 'format';
  if (/^(\d)\1+$/.test(pin) || '0123456789'.includes(pin) || '9876543210'.includes(pin)) return 'trivial';
  return null;
}
