// Database-stored sessions. The cookie holds 32 random bytes; the table holds only their SHA-256,
// so a copy of the database does not contain usable sessions. A new id on every login; logout
// deletes the row. The cookie is `__Host-` prefixed and Secure whenever the platform is served
// over https; plain-http development (localhost) drops prefix and Secure because browsers would
// refuse them.
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../platform/config.ts';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import type { Tx } from '../../platform/db/tenant.ts';

export const SESSION_DAYS = 14;

export function isSecure(config: Config): boolean {
  return config.publicUrl.startsWith('https:');
}

export function sessionCookieName(config: Config): string {
  return isSecure(config) ? '__Host-eb_session' : 'eb_session';
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString('base64url');
}

/** A coarse device label for the "active sessions" list: browser family only. */
export function deviceLabel(userAgent: string | undefined): string {
  const ua = userAgent ?? '';
  const browser = /Firefox\//.test(ua) ? 'Firefox' : /Edg\//.test(ua) ? 'Edge' : /Chrome\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows' : /Mac OS X/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : '';
  return os ? `${browser} (${os})` : browser;
}

export async function createSession(tx: Tx, accountId: string, device: string, mfa: boolean): Promise<{ token: string; hash: string; csrfSecret: string; expiresAt: Date }> {
  const token = randomToken();
  const hash = hashToken(token);
  const csrfSecret = randomToken(24);
  const expiresAt = new Date(Date.now() + SESSION_DAYS * 86_400_000);
  await tx.insertInto('session').values({ idHash: hash, accountId, csrfSecret, expiresAt, device, mfaAt: mfa ? new Date() : null }).execute();
  return { token, hash, csrfSecret, expiresAt };
}

export interface LoadedSession {
  hash: string;
  accountId: string;
  homeLibraryId: string;
  csrfSecret: string;
  mfa: boolean;
  network: { role: 'network_staff' | 'municipality_viewer'; municipalityCode: string | null }[];
}

/**
 * The session of a cookie, in ONE statement (db/migrations/0095: eenbieb_session_load): every
 * request with a cookie pays for this, so it is not a transaction of five statements. The function
 * also refreshes last_seen_at, at most once a minute. It needs no tenant and no transaction: it
 * reads only the session row of this token and the account's network roles.
 */
export async function loadSession(db: Kysely<Database>, token: string): Promise<LoadedSession | null> {
  const hash = hashToken(token);
  const { rows } = await sql<{ accountId: string | null; homeLibraryId: string; csrfSecret: string; mfa: boolean; network: LoadedSession['network'] | string }>`
    SELECT account_id, home_library_id, csrf_secret, mfa, network FROM eenbieb_session_load(${hash})`.execute(db);
  const row = rows[0];
  if (!row?.accountId) return null;
  // (jsonb arrives parsed from node-postgres and PGlite alike; a string would be a driver's choice)
  const network = typeof row.network === 'string' ? JSON.parse(row.network) as LoadedSession['network'] : row.network;
  return { hash, accountId: row.accountId, homeLibraryId: row.homeLibraryId, csrfSecret: row.csrfSecret, mfa: row.mfa, network };
}

export function setSessionCookie(reply: FastifyReply, config: Config, token: string, expiresAt: Date): void {
  reply.setCookie(sessionCookieName(config), token, {
    path: '/', httpOnly: true, sameSite: 'lax', secure: isSecure(config), expires: expiresAt,
  });
}

export function clearSessionCookie(reply: FastifyReply, config: Config): void {
  reply.clearCookie(sessionCookieName(config), { path: '/', httpOnly: true, sameSite: 'lax', secure: isSecure(config) });
}

export function sessionToken(req: FastifyRequest, config: Config): string | undefined {
  return req.cookies?.[sessionCookieName(config)];
}
