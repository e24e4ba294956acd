// Database-stored sessions. The cookie holds 32 random bytes; the table holds only their SHA-256,
// so a copy of the database does not contain usable sessions. A new id on every login; logout
// deletes the row. The cookie is `__Host-` prefixed and Secure whenever the platform is served
// over https; plain-http development (localhost) drops prefix and Secure because browsers would
// refuse them.
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../platform/config.ts';
import type { Tx } from '../../platform/db/tenant.ts';

export const SESSION_DAYS = 14;
/** last_seen_at is refreshed at most this often, to keep reads read-only. */
const TOUCH_MS = 5 * 60_000;

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

export async function loadSession(tx: Tx, token: string): Promise<LoadedSession | null> {
  const hash = hashToken(token);
  const row = await tx.selectFrom('session as s')
    .innerJoin('account as a', 'a.id', 's.accountId')
    .select(['s.idHash', 's.accountId', 's.csrfSecret', 's.mfaAt', 's.expiresAt', 's.lastSeenAt', 'a.homeLibraryId', 'a.status'])
    .where('s.idHash', '=', hash)
    .executeTakeFirst();
  if (!row || row.expiresAt.getTime() < Date.now() || row.status === 'erased') return null;
  if (Date.now() - row.lastSeenAt.getTime() > TOUCH_MS) {
    await tx.updateTable('session').set({ lastSeenAt: new Date() }).where('idHash', '=', hash).execute();
  }
  const network = await tx.selectFrom('networkRole').select(['role', 'municipalityCode']).where('accountId', '=', row.accountId).execute();
  return { hash, accountId: row.accountId, homeLibraryId: row.homeLibraryId, csrfSecret: row.csrfSecret, mfa: row.mfaAt !== null, network };
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
