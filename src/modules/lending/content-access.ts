// Access to digital content for a loan. The content provider (a publisher's or aggregator's
// server) must be able to check, without calling us, that a reader may open a title until a
// moment: we give it a signed, expiring token (HMAC-SHA256 with a network key). A grant row per
// loan lets an early return or expiry revoke access; the provider can ask us about revocation
// (GET /api/v1/access/{token}).
//
// Open editions (DBNL's free EPUB/PDF) need no protection: their "access" is the link to the open
// edition itself.
//
// The real content servers are outside this platform. Their boundary is `ContentProvider`; the
// stand-in for development and tests (`/inhoud/{token}`) verifies tokens exactly as a provider would.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Ctx } from '../../platform/context.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import type { Tx } from '../../platform/db/tenant.ts';
import { AccessExpired } from './lending.errors.ts';

export interface AccessLink {
  kind: 'open' | 'signed';
  url: string;
  expiresAt: Date;
}

/** What a content provider integration must offer: a reading link for a grant. */
export interface ContentProvider {
  readingUrl(input: { token: string; openAccessUrl: string | null; baseUrl: string }): string;
}

/** Open editions: the public link. */
const openEdition: ContentProvider = {
  readingUrl: ({ openAccessUrl }) => openAccessUrl!,
};

/** A provider reached with a signed token (the development stand-in serves it under /inhoud). */
const signedProvider: ContentProvider = {
  readingUrl: ({ token, baseUrl }) => `${baseUrl}/inhoud/${encodeURIComponent(token)}`,
};

export function providerFor(provider: string): ContentProvider {
  return provider === 'open' ? openEdition : signedProvider;
}

let cachedKey: { kid: string; secret: Buffer } | null = null;

async function signingKey(tx: Kysely<Database>): Promise<{ kid: string; secret: Buffer }> {
  if (cachedKey) return cachedKey;
  let row = await tx.selectFrom('contentKey').select(['kid', 'secret']).orderBy('createdAt', 'desc').limit(1).executeTakeFirst();
  if (!row) {
    const kid = randomBytes(6).toString('hex');
    await tx.insertInto('contentKey').values({ kid, secret: randomBytes(32).toString('base64') }).onConflict((oc) => oc.doNothing()).execute();
    row = await tx.selectFrom('contentKey').select(['kid', 'secret']).orderBy('createdAt', 'desc').limit(1).executeTakeFirstOrThrow();
  }
  cachedKey = { kid: row.kid, secret: Buffer.from(row.secret, 'base64') };
  return cachedKey;
}

/** For tests that open a new database in the same process. */
export function forgetContentKey(): void { cachedKey = null; }

function sign(secret: Buffer, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

export async function grantAccess(ctx: Ctx, tx: Tx, input: { libraryId: string; loanId: string; expiresAt: Date; provider: string; openAccessUrl: string | null }): Promise<AccessLink> {
  const grant = await tx.insertInto('accessGrant').values({ libraryId: input.libraryId, loanId: input.loanId, expiresAt: input.expiresAt })
    .returning('id').executeTakeFirstOrThrow();
  return accessLink(ctx, tx, { ...input, grantId: grant.id });
}

/** The reading link of a grant row already written (eenbieb_lend_digital writes it with the loan). */
export async function accessLink(ctx: Ctx, db: Kysely<Database>, input: { libraryId: string; grantId: string; expiresAt: Date; provider: string; openAccessUrl: string | null }): Promise<AccessLink> {
  if (input.provider === 'open' && input.openAccessUrl) {
    return { kind: 'open', url: input.openAccessUrl, expiresAt: input.expiresAt };
  }
  const key = await signingKey(db);
  const payload = `${key.kid}.${input.libraryId}.${input.grantId}.${Math.floor(input.expiresAt.getTime() / 1000)}`;
  const token = `${Buffer.from(payload).toString('base64url')}.${sign(key.secret, payload)}`;
  return { kind: 'signed', url: providerFor(input.provider).readingUrl({ token, openAccessUrl: input.openAccessUrl, baseUrl: ctx.config.publicUrl }), expiresAt: input.expiresAt };
}

export interface VerifiedToken { libraryId: string; grantId: string; expiresAt: Date }

/** Checks signature and expiry only (what a provider does offline). Throws AccessExpired. */
export async function verifyToken(tx: Tx, token: string, now = new Date()): Promise<VerifiedToken> {
  const [body, sig] = token.split('.');
  if (!body || !sig || token.length > 400) throw AccessExpired();
  const payload = Buffer.from(body, 'base64url').toString();
  const [kid, libraryId, grantId, exp] = payload.split('.');
  const key = await signingKey(tx);
  if (!kid || kid !== key.kid || !libraryId || !grantId || !exp) throw AccessExpired();
  const expected = Buffer.from(sign(key.secret, payload));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw AccessExpired();
  const expiresAt = new Date(Number(exp) * 1000);
  if (!(expiresAt > now)) throw AccessExpired();
  if (!/^[0-9a-f-]{36}$/.test(libraryId) || !/^[0-9a-f-]{36}$/.test(grantId)) throw AccessExpired();
  return { libraryId, grantId, expiresAt };
}
