// Use cases of accounts: signing in (e-mail + password, card + PIN), signing out (here or
// everywhere), confirming an e-mail address, resetting a password, and the second factor.
import { sql } from 'kysely';
import type { Ctx } from '../../platform/context.ts';
import { inNetwork, inTenant, type Tx } from '../../platform/db/tenant.ts';
import { ValidationFailed } from '../../platform/errors.ts';
import { newTotpSecret, otpauthUri, verifyTotp } from '../../shared/totp.ts';
import { enqueueNotice } from '../notices/index.ts';
import { LoginFailed, LoginRequired, LoginThrottled, PasswordRejected, TokenInvalid } from './accounts.errors.ts';
import { hashSecret, verifySecret } from './credentials.ts';
import { passwordProblem } from './password-policy.ts';
import { createSession, hashToken, randomToken } from './session.ts';
import { blockedFor, clearFailures, recordFailure, throttleKey } from './throttle.ts';

export const VERIFY_HOURS = 48;
export const RESET_MINUTES = 60;

export interface SignedIn {
  accountId: string;
  token: string;
  expiresAt: Date;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function isEmail(email: string): boolean {
  return email.length <= 254 && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email);
}

// Each step opens its own short transaction: never one inside another (PGlite has a single
// connection, so a nested transaction would wait for itself).
async function throttled<T>(ctx: Ctx, loginKey: string, clientIp: string, attempt: () => Promise<T | null>): Promise<T> {
  const keys = [throttleKey('login', loginKey), throttleKey('ip', clientIp)];
  const wait = await inNetwork(ctx.db, (tx) => blockedFor(tx, keys));
  if (wait > 0) throw LoginThrottled(wait);
  const result = await attempt();
  if (result === null) {
    await inNetwork(ctx.db, (tx) => recordFailure(tx, keys));
    throw LoginFailed();
  }
  await inNetwork(ctx.db, (tx) => clearFailures(tx, keys[0]!));
  return result;
}

export async function loginWithPassword(ctx: Ctx, input: { email: string; password: string; clientIp: string; device: string }): Promise<SignedIn> {
  const email = normaliseEmail(input.email ?? '');
  return throttled(ctx, email, input.clientIp, async () => {
    const account = await inNetwork(ctx.db, (tx) => tx.selectFrom('account').select(['id', 'passwordHash', 'status']).where('email', '=', email).executeTakeFirst());
    const ok = await verifySecret(account?.passwordHash ?? null, input.password ?? '');
    if (!ok || !account || account.status === 'erased') return null;
    const s = await inNetwork(ctx.db, (tx) => createSession(tx, account.id, input.device, false));
    return { accountId: account.id, token: s.token, expiresAt: s.expiresAt };
  });
}

export async function loginWithCard(ctx: Ctx, input: { cardNumber: string; pin: string; clientIp: string; device: string }): Promise<SignedIn> {
  const card = (input.cardNumber ?? '').replace(/\s/g, '');
  return throttled(ctx, `card:${card}`, input.clientIp, async () => {
    const library = /^\d{14}$/.test(card)
      ? await inNetwork(ctx.db, (tx) => tx.selectFrom('library').select('id').where('cardPrefix', '=', card.slice(0, 5)).executeTakeFirst())
      : undefined;
    // the card's library decides which tenant to read the membership from
    const membership = library
      ? await inTenant(ctx.db, library.id, (t) => t.selectFrom('membership').select(['accountId', 'pinHash'])
        .where('cardNumber', '=', card).where('status', '=', 'active').executeTakeFirst())
      : undefined;
    const ok = await verifySecret(membership?.pinHash ?? null, input.pin ?? '');
    if (!ok || !membership) return null;
    const s = await inNetwork(ctx.db, (tx) => createSession(tx, membership.accountId, input.device, false));
    return { accountId: membership.accountId, token: s.token, expiresAt: s.expiresAt };
  });
}

export async function logout(ctx: Ctx, sessionHash: string): Promise<void> {
  await inNetwork(ctx.db, (tx) => tx.deleteFrom('session').where('idHash', '=', sessionHash).execute());
}

export async function logoutEverywhere(ctx: Ctx, accountId: string): Promise<number> {
  const r = await inNetwork(ctx.db, (tx) => tx.deleteFrom('session').where('accountId', '=', accountId).executeTakeFirst());
  return Number(r.numDeletedRows);
}

export async function listSessions(ctx: Ctx, accountId: string) {
  return inNetwork(ctx.db, (tx) => tx.selectFrom('session')
    .select(['idHash', 'device', 'createdAt', 'lastSeenAt', 'expiresAt'])
    .where('accountId', '=', accountId).where('expiresAt', '>', new Date())
    .orderBy('lastSeenAt', 'desc').execute());
}

/** Creates a single-use token (only its hash is stored) and returns the token for the mail link. */
export async function issueEmailToken(tx: Tx, accountId: string, purpose: 'verify_email' | 'reset_password', minutes: number): Promise<string> {
  const token = randomToken();
  await tx.updateTable('emailToken').set({ usedAt: new Date() })
    .where('accountId', '=', accountId).where('purpose', '=', purpose).where('usedAt', 'is', null).execute();
  await tx.insertInto('emailToken').values({ tokenHash: hashToken(token), accountId, purpose, expiresAt: new Date(Date.now() + minutes * 60_000) }).execute();
  return token;
}

/** Marks a token used (row-locked, so a link works exactly once) and returns its account. */
async function consumeToken(tx: Tx, token: string, purpose: 'verify_email' | 'reset_password'): Promise<string> {
  const row = await tx.selectFrom('emailToken').select(['accountId', 'expiresAt', 'usedAt'])
    .where('tokenHash', '=', hashToken(token ?? '')).where('purpose', '=', purpose).forUpdate().executeTakeFirst();
  if (!row || row.usedAt || row.expiresAt.getTime() < Date.now()) throw TokenInvalid();
  await tx.updateTable('emailToken').set({ usedAt: new Date() }).where('tokenHash', '=', hashToken(token)).execute();
  return row.accountId;
}

export async function verifyEmail(ctx: Ctx, token: string): Promise<{ accountId: string; homeLibraryId: string }> {
  return inNetwork(ctx.db, async (tx) => {
    const accountId = await consumeToken(tx, token, 'verify_email');
    const account = await tx.updateTable('account').set({ emailVerifiedAt: new Date() }).where('id', '=', accountId)
      .returning(['id', 'homeLibraryId']).executeTakeFirstOrThrow();
    return { accountId: account.id, homeLibraryId: account.homeLibraryId };
  });
}

/** Always answers the same, whether or not the address has an account. */
export async function requestPasswordReset(ctx: Ctx, input: { email: string; resetUrl: (librarySlug: string, token: string) => string }): Promise<void> {
  const email = normaliseEmail(input.email ?? '');
  if (!isEmail(email)) throw ValidationFailed([{ field: 'email', message: { nl: 'Vul een geldig e-mailadres in.', en: 'Enter a valid e-mail address.' } }]);
  const account = await inNetwork(ctx.db, (tx) => tx.selectFrom('account as a').innerJoin('library as l', 'l.id', 'a.homeLibraryId')
    .select(['a.id', 'a.homeLibraryId', 'a.preferredLanguage', 'a.status', 'l.slug as librarySlug'])
    .where('a.email', '=', email).executeTakeFirst());
  if (!account || account.status === 'erased') return;
  await inTenant(ctx.db, account.homeLibraryId, async (tx) => {
    const token = await issueEmailToken(tx, account.id, 'reset_password', RESET_MINUTES);
    const url = input.resetUrl(account.librarySlug, token);
    const nl = account.preferredLanguage === 'nl';
    await enqueueNotice(tx, {
      libraryId: account.homeLibraryId, accountId: account.id, to: email, template: 'password_reset',
      subject: nl ? 'Nieuw wachtwoord instellen' : 'Set a new password',
      bodyText: nl
        ? `U vroeg om een nieuw wachtwoord. Kies het binnen ${RESET_MINUTES} minuten via deze link:\n\n${url}\n\nVroeg u dit niet? Dan kunt u dit bericht negeren.`
        : `You asked for a new password. Choose it within ${RESET_MINUTES} minutes using this link:\n\n${url}\n\nDid not ask for this? You can ignore this message.`,
    });
  });
}

export async function resetPassword(ctx: Ctx, input: { token: string; password: string }): Promise<void> {
  const problem = passwordProblem(input.password ?? '');
  if (problem) throw PasswordRejected(problem);
  const passwordHash = await hashSecret(input.password);
  await inNetwork(ctx.db, async (tx) => {
    const accountId = await consumeToken(tx, input.token, 'reset_password');
    await tx.updateTable('account').set({ passwordHash }).where('id', '=', accountId).execute();
    // a new password ends every existing session: whoever had the old one is out
    await tx.deleteFrom('session').where('accountId', '=', accountId).execute();
  });
}

// Second factor (RFC 6238). Enrolment: a secret is proposed, and stored only once a valid code
// from the app proves it was copied; the session then counts as verified.
export function proposeTotp(email: string, issuer: string): { secret: string; uri: string } {
  const secret = newTotpSecret();
  return { secret, uri: otpauthUri(secret, email, issuer) };
}

const CodeInvalid = () => ValidationFailed([{ field: 'code', message: { nl: 'Deze code klopt niet. Gebruik de code die nu in uw app staat.', en: 'This code is not right. Use the code your app shows now.' } }]);

export async function enrolTotp(ctx: Ctx, input: { accountId: string; sessionHash: string; secret: string; code: string }): Promise<void> {
  if (!/^[A-Z2-7]{32}$/.test(input.secret ?? '') || !verifyTotp(input.secret, input.code ?? '')) throw CodeInvalid();
  await inNetwork(ctx.db, async (tx) => {
    await tx.updateTable('account').set({ totpSecret: input.secret }).where('id', '=', input.accountId).execute();
    await tx.updateTable('session').set({ mfaAt: new Date() }).where('idHash', '=', input.sessionHash).execute();
  });
}

/** Step-up: a code from the enrolled app marks this session as verified. */
export async function verifySecondFactor(ctx: Ctx, input: { accountId: string; sessionHash: string; code: string }): Promise<void> {
  await inNetwork(ctx.db, async (tx) => {
    const account = await tx.selectFrom('account').select('totpSecret').where('id', '=', input.accountId).executeTakeFirst();
    if (!account) throw LoginRequired();
    if (!account.totpSecret || !verifyTotp(account.totpSecret, input.code ?? '')) throw CodeInvalid();
    await tx.updateTable('session').set({ mfaAt: new Date() }).where('idHash', '=', input.sessionHash).execute();
  });
}

export async function hasTotp(ctx: Ctx, accountId: string): Promise<boolean> {
  const row = await inNetwork(ctx.db, (tx) => tx.selectFrom('account').select(sql<boolean>`totp_secret is not null`.as('has')).where('id', '=', accountId).executeTakeFirst());
  return row?.has ?? false;
}
