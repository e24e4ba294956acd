// The provider's keys: an RS256 signing key (ID tokens, JWKS) and a cookie-signing secret,
// generated on the first start and stored in oidc_key so that every app server and every restart
// signs with the same keys. A transaction-level advisory lock makes sure two servers starting at
// once on an empty table do not each generate their own.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Tx } from '../../../platform/db/tenant.ts';

export interface OidcKeys {
  /** Private JWKs (RS256) for the provider's `jwks` configuration; the newest first. */
  signing: Record<string, unknown>[];
  /** Keygrip secrets for the provider's cookies; the newest first. */
  cookie: string[];
}

const LOCK = 0x0e1d_c0de;

function newSigningKey(): { kid: string; jwk: Record<string, unknown> } {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = crypto.randomBytes(12).toString('base64url');
  return { kid, jwk: { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
}

async function load(tx: Tx): Promise<OidcKeys> {
  // as text: Kysely's CamelCasePlugin would otherwise rename keys inside the JWK
  const rows = await tx.selectFrom('oidcKey').select(['use', sql<string>`jwk::text`.as('jwk')]).where('retiredAt', 'is', null).orderBy('createdAt', 'desc').execute();
  const parsed = rows.map((r) => ({ use: r.use, jwk: JSON.parse(r.jwk) as Record<string, unknown> }));
  return {
    signing: parsed.filter((r) => r.use === 'signing').map((r) => r.jwk),
    cookie: parsed.filter((r) => r.use === 'cookie').map((r) => String(r.jwk.k)),
  };
}

/** Loads the keys, generating whichever kind is missing (first start). Runs in one transaction. */
export async function loadOrCreateKeys(tx: Tx): Promise<OidcKeys> {
  await sql`select pg_advisory_xact_lock(${LOCK})`.execute(tx);
  const keys = await load(tx);
  if (!keys.signing.length) {
    const key = newSigningKey();
    await tx.insertInto('oidcKey').values({ kid: key.kid, use: 'signing', jwk: JSON.stringify(key.jwk) }).execute();
  }
  if (!keys.cookie.length) {
    const k = crypto.randomBytes(32).toString('base64url');
    await tx.insertInto('oidcKey').values({ kid: `cookie-${crypto.randomBytes(6).toString('base64url')}`, use: 'cookie', jwk: JSON.stringify({ k }) }).execute();
  }
  return keys.signing.length && keys.cookie.length ? keys : load(tx);
}
