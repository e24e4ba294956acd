// Use cases of membership: plans, sign-up at the home library, the member's own data (profile,
// card, consents, export, deletion) and staff's audited look at members.
import { sql } from 'kysely';
import type { Ctx } from '../../platform/context.ts';
import { inNetwork, inTenant } from '../../platform/db/tenant.ts';
import type { FieldError, LocalisedText } from '../../platform/errors.ts';
import { personalDataSources } from '../../platform/personal-data.ts';
import { parsePostcode } from '../../shared/postcode.ts';
import { isEmail, issueEmailToken, normaliseEmail, VERIFY_HOURS } from '../accounts/accounts.service.ts';
import { hashSecret, pinProblem } from '../accounts/credentials.ts';
import { PasswordRejected } from '../accounts/accounts.errors.ts';
import { passwordProblem } from '../accounts/password-policy.ts';
import { getLibrary, libraryUrl, routePostcode, type Library } from '../network/index.ts';
import { enqueueNotice } from '../notices/index.ts';
import { issueCardNumber } from './card.ts';
import { AgeOutsidePlan, InvalidDetails, MemberNotFound, PlanNotFound, ReasonRequired, WrongLibrary } from './membership.errors.ts';
import { requireSelf, requireStaff } from './membership.policy.ts';

export const CONSENT_PURPOSES = ['reading_history', 'reading_advice', 'newsletter', 'research'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];
export const DELETION_GRACE_DAYS = 14;

/** Why staff look at a member's data; every look is audited with one of these. */
export const VIEW_REASONS = ['desk_question', 'loan_issue', 'membership_change', 'charges', 'privacy_request'] as const;
export type ViewReason = (typeof VIEW_REASONS)[number];

export async function listPlans(ctx: Ctx, libraryId: string) {
  return inTenant(ctx.db, libraryId, (tx) => tx.selectFrom('plan').selectAll().where('active', '=', true).orderBy('sortOrder').execute());
}

export type Plan = Awaited<ReturnType<typeof listPlans>>[number];

export interface SignUpInput {
  postcode: string;
  plan: string;
  email: string;
  password: string;
  givenName: string;
  familyName: string;
  birthDate?: string;
  street?: string;
  houseNumber?: string;
  city?: string;
  phone?: string;
  pin?: string;
  consents?: Partial<Record<ConsentPurpose, boolean>>;
  language?: 'nl' | 'en';
}

export interface SignUpResult {
  /** The same answer whether the address was new or already had an account (no enumeration). */
  status: 'check_your_mail';
  library: { slug: string; name: string };
  municipality: { code: string; name: string };
}

const msg = (nl: string, en: string): LocalisedText => ({ nl, en });

export function ageOn(birthDate: string, on = new Date()): number {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  let age = on.getUTCFullYear() - y;
  if (on.getUTCMonth() + 1 < m || (on.getUTCMonth() + 1 === m && on.getUTCDate() < d)) age--;
  return age;
}

function validDate(s: string | undefined): s is string {
  if (!s || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s && d.getTime() <= Date.now() && d.getUTCFullYear() >= 1900;
}

const clean = (s: string | undefined) => (typeof s === 'string' ? s.trim() : '');

/** Address rules shared by sign-up, becoming a member and moving house. */
export function addressErrors(input: { postcode?: string; street?: string; houseNumber?: string; city?: string }): FieldError[] {
  const errors: FieldError[] = [];
  const p = parsePostcode(input.postcode ?? '');
  if (!p.ok || !p.letters) errors.push({ field: 'postcode', message: msg('Vul uw volledige postcode in, met letters (bijvoorbeeld 3511 AB).', 'Enter your full postcode, with letters (for example 3511 AB).') });
  if (clean(input.street).length < 2 || clean(input.street).length > 120) errors.push({ field: 'street', message: msg('Vul uw straat in.', 'Enter your street.') });
  if (!/^[0-9]{1,5}\s?[a-zA-Z0-9-]{0,6}$/.test(clean(input.houseNumber))) errors.push({ field: 'houseNumber', message: msg('Vul uw huisnummer in, bijvoorbeeld 12 of 12a.', 'Enter your house number, for example 12 or 12a.') });
  if (clean(input.city).length < 2 || clean(input.city).length > 80) errors.push({ field: 'city', message: msg('Vul uw woonplaats in.', 'Enter your town.') });
  return errors;
}

export function pinErrors(pin: string | undefined): FieldError[] {
  const problem = pinProblem(clean(pin));
  if (!problem) return [];
  return [{ field: 'pin', message: problem === 'format' ? msg('Kies een pincode van 4 tot 6 cijfers.', 'Choose a PIN of 4 to 6 digits.') : msg('Deze pincode is te makkelijk te raden (zoals 1111 of 1234).', 'This PIN is too easy to guess (like 1111 or 1234).') }];
}

/** Only what the plan needs: a free account asks name and e-mail; borrowing also address and birth date. */
function validateDetails(input: SignUpInput, plan: Plan | undefined): FieldError[] {
  const errors: FieldError[] = [];
  const need = (field: keyof SignUpInput, ok: boolean, m: LocalisedText) => { if (!ok) errors.push({ field, message: m }); };
  need('email', isEmail(normaliseEmail(clean(input.email))), msg('Vul een geldig e-mailadres in, bijvoorbeeld naam@voorbeeld.nl.', 'Enter a valid e-mail address, for example name@example.org.'));
  need('givenName', clean(input.givenName).length >= 1 && clean(input.givenName).length <= 100, msg('Vul uw voornaam in.', 'Enter your first name.'));
  need('familyName', clean(input.familyName).length >= 1 && clean(input.familyName).length <= 100, msg('Vul uw achternaam in.', 'Enter your last name.'));
  const pw = passwordProblem(input.password ?? '');
  // the same words as a password change or reset
  if (pw) errors.push({ field: 'password', message: PasswordRejected(pw).text });
  if (input.birthDate && !validDate(input.birthDate)) {
    errors.push({ field: 'birthDate', message: msg('Vul een geldige geboortedatum in (dag, maand, jaar).', 'Enter a valid date of birth.') });
  }
  if (plan?.kind === 'lending') {
    need('birthDate', !!input.birthDate, msg('Vul uw geboortedatum in.', 'Enter your date of birth.'));
    errors.push(...addressErrors(input), ...pinErrors(input.pin));
  }
  if (input.phone && !/^\+?[0-9 ()-]{6,20}$/.test(clean(input.phone))) {
    errors.push({ field: 'phone', message: msg('Vul een geldig telefoonnummer in, of laat het leeg.', 'Enter a valid phone number, or leave it empty.') });
  }
  return errors;
}

/**
 * Sign-up at the home library. The postcode decides the library (its municipality's duty of
 * care); `portalLibraryId` is the portal the form was on, which must be that library.
 */
export async function signUp(ctx: Ctx, input: SignUpInput, portalLibraryId: string | null, links: { verifyUrl: (library: Library, token: string) => string }): Promise<SignUpResult> {
  const route = await routePostcode(ctx, input.postcode ?? '');
  const library = await getLibrary(ctx, route.library.slug);
  if (portalLibraryId && portalLibraryId !== library.id) throw WrongLibrary(library.name);
  const plans = await listPlans(ctx, library.id);
  const plan = plans.find((p) => p.code === input.plan);
  const parsed = parsePostcode(input.postcode);
  const errors = validateDetails(input, plan);
  if (!plan) throw PlanNotFound();
  if (errors.length) throw InvalidDetails(errors);
  if (input.birthDate) {
    const age = ageOn(input.birthDate);
    if ((plan.minAge !== null && age < plan.minAge) || (plan.maxAge !== null && age > plan.maxAge)) throw AgeOutsidePlan(plan.minAge, plan.maxAge);
  }
  const email = normaliseEmail(input.email);
  const language = input.language === 'en' ? 'en' : 'nl';
  const result: SignUpResult = { status: 'check_your_mail', library: { slug: library.slug, name: library.name }, municipality: route.municipality };

  const existing = await inNetwork(ctx.db, (tx) => tx.selectFrom('account').select(['id', 'homeLibraryId', 'preferredLanguage']).where('email', '=', email).executeTakeFirst());
  if (existing) {
    // Tell the owner, not the visitor: the answer is the same as for a new address.
    await inTenant(ctx.db, existing.homeLibraryId, (tx) => enqueueNotice(tx, {
      libraryId: existing.homeLibraryId, accountId: existing.id, to: email, template: 'signup_existing',
      subject: existing.preferredLanguage === 'en' ? 'Someone tried to sign up with your e-mail address' : 'Iemand probeerde zich aan te melden met uw e-mailadres',
      bodyText: existing.preferredLanguage === 'en'
        ? 'Someone (perhaps you) tried to create a library account with this e-mail address, but you already have one. Sign in, or choose a new password via "Forgot password". If this was not you, you need not do anything.'
        : 'Iemand (misschien u zelf) probeerde een bibliotheekaccount te maken met dit e-mailadres, maar u hebt er al een. Log in, of kies een nieuw wachtwoord via "Wachtwoord vergeten". Was u dit niet? Dan hoeft u niets te doen.',
    }));
    return result;
  }

  const passwordHash = await hashSecret(input.password);
  const pinHash = plan.kind === 'lending' ? await hashSecret(clean(input.pin)) : null;
  // One transaction for the account (network level) and everything at the home library: a
  // failure anywhere leaves nothing half-created.
  await inTenant(ctx.db, library.id, async (tx) => {
    const inserted = await tx.insertInto('account').values({ email, passwordHash, homeLibraryId: library.id, preferredLanguage: language })
      .onConflict((oc) => oc.column('email').doNothing()).returning('id').executeTakeFirst();
    if (!inserted) return; // a parallel sign-up with the same address won; its owner gets the mail
    const accountId = inserted.id;
    await tx.insertInto('memberProfile').values({
      libraryId: library.id, accountId,
      givenName: clean(input.givenName), familyName: clean(input.familyName),
      birthDate: input.birthDate || null,
      street: clean(input.street) || null, houseNumber: clean(input.houseNumber) || null,
      postcode: parsed.ok && parsed.letters ? parsed.formatted : null,
      city: clean(input.city) || null, phone: clean(input.phone) || null,
    }).execute();
    const card = await issueCardNumber(tx, library.id, library.cardPrefix);
    const validUntil = new Date();
    validUntil.setUTCFullYear(validUntil.getUTCFullYear() + 1);
    const { id: membershipId } = await tx.insertInto('membership').values({
      libraryId: library.id, accountId, planId: plan.id, cardNumber: card, pinHash, status: 'active',
      validUntil: plan.kind === 'lending' ? validUntil.toISOString().slice(0, 10) : null,
    }).returning('id').executeTakeFirstOrThrow();
    if (plan.yearlyFeeCents > 0) {
      await tx.insertInto('charge').values({
        libraryId: library.id, accountId, membershipId, kind: 'membership_fee', amountCents: plan.yearlyFeeCents,
        description: `${plan.nameNl} ${new Date().getUTCFullYear()}`,
      }).execute();
    }
    await tx.insertInto('consent').values(CONSENT_PURPOSES.map((purpose) => ({
      libraryId: library.id, accountId, purpose, granted: input.consents?.[purpose] === true,
    }))).execute();
    await tx.insertInto('auditEvent').values({ libraryId: library.id, actorAccountId: accountId, action: 'account.signup', subjectAccountId: accountId, details: JSON.stringify({ plan: plan.code }) }).execute();
    const token = await issueEmailToken(tx, accountId, 'verify_email', VERIFY_HOURS * 60);
    const url = links.verifyUrl(library, token);
    await enqueueNotice(tx, {
      libraryId: library.id, accountId, to: email, template: 'verify_email',
      subject: language === 'en' ? `Confirm your e-mail address for ${library.name}` : `Bevestig uw e-mailadres voor ${library.name}`,
      bodyText: language === 'en'
        ? `Welcome to ${library.name}!\n\nConfirm your e-mail address within ${VERIFY_HOURS} hours with this link:\n\n${url}\n\nYour library card number: ${card}`
        : `Welkom bij ${library.name}!\n\nBevestig binnen ${VERIFY_HOURS} uur uw e-mailadres met deze link:\n\n${url}\n\nUw pasnummer: ${card}`,
    });
  });
  return result;
}

export function verifyLink(ctx: Ctx, library: Library, token: string): string {
  return `${libraryUrl(ctx, library.slug)}mijn/bevestigen?token=${encodeURIComponent(token)}`;
}

/** The member's own overview: account, profile, membership with plan, consents, open charges. */
export async function myOverview(ctx: Ctx) {
  const actor = requireSelf(ctx);
  const account = await inNetwork(ctx.db, (tx) => tx.selectFrom('account')
    .select(['id', 'email', 'emailVerifiedAt', 'preferredLanguage', 'status', 'deletionRequestedAt', 'createdAt', 'homeLibraryId', sql<boolean>`totp_secret is not null`.as('hasTotp')])
    .where('id', '=', actor.accountId).executeTakeFirstOrThrow());
  return inTenant(ctx.db, account.homeLibraryId, async (tx) => {
    const profile = await tx.selectFrom('memberProfile').selectAll().where('accountId', '=', actor.accountId).executeTakeFirst();
    const membership = await tx.selectFrom('membership as m').innerJoin('plan as p', (j) => j.onRef('p.id', '=', 'm.planId').onRef('p.libraryId', '=', 'm.libraryId'))
      .select(['m.id', 'm.cardNumber', 'm.status', 'm.validFrom', 'm.validUntil', 'p.code as planCode', 'p.nameNl', 'p.nameEn', 'p.kind', 'p.maxPhysicalLoans', 'p.maxDigitalLoans', 'p.maxHolds', 'p.loanPeriodDays', 'p.yearlyFeeCents'])
      .where('m.accountId', '=', actor.accountId).where('m.status', '=', 'active').executeTakeFirst();
    const consents = await tx.selectFrom('consent').select(['purpose', 'granted', 'changedAt']).where('accountId', '=', actor.accountId).execute();
    const charges = await tx.selectFrom('charge').select(['id', 'kind', 'amountCents', 'description', 'createdAt', 'paidAt']).where('accountId', '=', actor.accountId).orderBy('createdAt', 'desc').execute();
    const roles = await tx.selectFrom('staffRole').select('role').where('accountId', '=', actor.accountId).execute();
    return { account, profile: profile ?? null, membership: membership ?? null, consents, charges, staffRoles: roles.map((r) => r.role) };
  });
}

/** Consent changes take effect at once and are recorded in the audit trail. */
export async function setConsents(ctx: Ctx, consents: Partial<Record<ConsentPurpose, boolean>>): Promise<void> {
  const actor = requireSelf(ctx);
  await inTenant(ctx.db, actor.homeLibraryId, async (tx) => {
    for (const purpose of CONSENT_PURPOSES) {
      if (typeof consents[purpose] !== 'boolean') continue;
      const granted = consents[purpose]!;
      const before = await tx.selectFrom('consent').select('granted').where('accountId', '=', actor.accountId).where('purpose', '=', purpose).executeTakeFirst();
      if (before?.granted === granted) continue;
      await tx.insertInto('consent').values({ libraryId: actor.homeLibraryId, accountId: actor.accountId, purpose, granted, changedAt: new Date() })
        .onConflict((oc) => oc.columns(['libraryId', 'accountId', 'purpose']).doUpdateSet({ granted, changedAt: new Date() })).execute();
      await tx.insertInto('auditEvent').values({
        libraryId: actor.homeLibraryId, actorAccountId: actor.accountId, subjectAccountId: actor.accountId,
        action: granted ? 'consent.granted' : 'consent.withdrawn', details: JSON.stringify({ purpose }),
      }).execute();
    }
  });
}

/**
 * Everything held about me (AVG art. 15 and 20), complete across the tables that hold personal
 * data: a test compares this list with the schema so a new table cannot be forgotten.
 */
export const EXPORTED_TABLES = ['account', 'session', 'network_role', 'email_token', 'member_profile', 'membership', 'charge', 'consent', 'staff_role', 'audit_event', 'notice'] as const;

export async function exportMyData(ctx: Ctx) {
  const actor = requireSelf(ctx);
  const id = actor.accountId;
  const network = await inNetwork(ctx.db, async (tx) => ({
    account: await tx.selectFrom('account').select(['id', 'email', 'emailVerifiedAt', 'homeLibraryId', 'preferredLanguage', 'status', 'deletionRequestedAt', 'createdAt', sql<boolean>`totp_secret is not null`.as('secondFactorEnrolled')]).where('id', '=', id).executeTakeFirstOrThrow(),
    sessions: await tx.selectFrom('session').select(['device', 'createdAt', 'lastSeenAt', 'expiresAt']).where('accountId', '=', id).execute(),
    networkRoles: await tx.selectFrom('networkRole').select(['role', 'municipalityCode']).where('accountId', '=', id).execute(),
    emailTokens: await tx.selectFrom('emailToken').select(['purpose', 'createdAt', 'expiresAt', 'usedAt']).where('accountId', '=', id).execute(),
  }));
  const library = await inTenant(ctx.db, network.account.homeLibraryId, async (tx) => ({
    profile: await tx.selectFrom('memberProfile').selectAll().where('accountId', '=', id).executeTakeFirst() ?? null,
    memberships: await tx.selectFrom('membership').select(['id', 'planId', 'cardNumber', 'status', 'validFrom', 'validUntil', 'endedAt', 'createdAt']).where('accountId', '=', id).execute(),
    charges: await tx.selectFrom('charge').select(['kind', 'amountCents', 'description', 'createdAt', 'paidAt']).where('accountId', '=', id).execute(),
    consents: await tx.selectFrom('consent').select(['purpose', 'granted', 'changedAt']).where('accountId', '=', id).execute(),
    staffRoles: await tx.selectFrom('staffRole').select(['role', 'grantedAt']).where('accountId', '=', id).execute(),
    auditTrail: await tx.selectFrom('auditEvent').select(['at', 'action', 'reasonCode', 'details', sql<boolean>`actor_account_id = subject_account_id`.as('byMyself')])
      .where((eb) => eb.or([eb('subjectAccountId', '=', id), eb('actorAccountId', '=', id)])).orderBy('at').execute(),
    mail: await tx.selectFrom('notice').select(['template', 'subject', 'createdAt', 'sentAt']).where('accountId', '=', id).execute(),
  }));
  const elsewhere: Record<string, unknown> = {};
  for (const source of personalDataSources()) elsewhere[source.name] = await source.collect(ctx, id);
  return { exportedAt: new Date().toISOString(), format: 'eenbieb-personal-data/1', ...network, homeLibrary: library, ...elsewhere };
}

/** Deletion: a 14-day grace period (cancellable), then `eraseDueAccounts` erases personal data. */
export async function requestDeletion(ctx: Ctx): Promise<{ eraseAfter: string }> {
  const actor = requireSelf(ctx);
  const at = new Date();
  await inTenant(ctx.db, actor.homeLibraryId, async (tx) => {
    await tx.updateTable('account').set({ status: 'deleting', deletionRequestedAt: at }).where('id', '=', actor.accountId).where('status', '=', 'active').execute();
    await tx.insertInto('auditEvent').values({ libraryId: actor.homeLibraryId, actorAccountId: actor.accountId, subjectAccountId: actor.accountId, action: 'account.deletion_requested' }).execute();
  });
  return { eraseAfter: new Date(at.getTime() + DELETION_GRACE_DAYS * 86_400_000).toISOString() };
}

export async function cancelDeletion(ctx: Ctx): Promise<void> {
  const actor = requireSelf(ctx);
  await inTenant(ctx.db, actor.homeLibraryId, async (tx) => {
    await tx.updateTable('account').set({ status: 'active', deletionRequestedAt: null }).where('id', '=', actor.accountId).where('status', '=', 'deleting').execute();
    await tx.insertInto('auditEvent').values({ libraryId: actor.homeLibraryId, actorAccountId: actor.accountId, subjectAccountId: actor.accountId, action: 'account.deletion_cancelled' }).execute();
  });
}

/**
 * Erases accounts whose grace period has passed: profile, consents, sessions and tokens are
 * deleted; the account keeps only a non-personal placeholder so memberships and charges remain
 * as anonymous counts for statistics. Run by the worker (and `eenbieb erase-due`).
 */
export async function eraseDueAccounts(ctx: Ctx, now = new Date()): Promise<number> {
  const due = await inNetwork(ctx.db, (tx) => tx.selectFrom('account').select(['id', 'homeLibraryId'])
    .where('status', '=', 'deleting').where('deletionRequestedAt', '<=', new Date(now.getTime() - DELETION_GRACE_DAYS * 86_400_000)).execute());
  for (const a of due) {
    for (const source of personalDataSources()) await source.anonymise(ctx, a.id);
    await inTenant(ctx.db, a.homeLibraryId, async (tx) => {
      await tx.deleteFrom('memberProfile').where('accountId', '=', a.id).execute();
      await tx.deleteFrom('consent').where('accountId', '=', a.id).execute();
      await tx.deleteFrom('staffRole').where('accountId', '=', a.id).execute();
      await tx.deleteFrom('notice').where('accountId', '=', a.id).execute();
      await tx.updateTable('membership').set({ status: 'ended', pinHash: null, endedAt: new Date() }).where('accountId', '=', a.id).where('status', '=', 'active').execute();
      await tx.deleteFrom('session').where('accountId', '=', a.id).execute();
      await tx.deleteFrom('emailToken').where('accountId', '=', a.id).execute();
      await tx.updateTable('account').set({
        email: `erased-${a.id}@erased.invalid`, passwordHash: null, totpSecret: null, status: 'erased', deletionRequestedAt: null, emailVerifiedAt: null,
      }).where('id', '=', a.id).execute();
      await tx.insertInto('auditEvent').values({ libraryId: a.homeLibraryId, action: 'account.erased', subjectAccountId: a.id }).execute();
    });
  }
  return due.length;
}

// Staff.
export async function searchMembers(ctx: Ctx, libraryId: string, query: string) {
  const q = (query ?? '').trim();
  return inTenant(ctx.db, libraryId, async (tx) => {
    await requireStaff(ctx, tx, ['desk', 'librarian', 'library_admin']);
    if (q.length < 2) return [];
    const digits = q.replace(/\s/g, '');
    // Search results show only name and card number; the full record is a separate, audited look.
    const rows = await tx.selectFrom('membership as m').innerJoin('memberProfile as p', (j) => j.onRef('p.accountId', '=', 'm.accountId').onRef('p.libraryId', '=', 'm.libraryId'))
      .select(['m.accountId', 'm.cardNumber', 'p.givenName', 'p.familyName'])
      .where('m.status', '=', 'active')
      .where((eb) => /^\d{6,14}$/.test(digits)
        ? eb('m.cardNumber', 'like', `${digits}%`)
        : eb(sql`lower(p.given_name || ' ' || p.family_name)`, 'like', `%${q.toLowerCase().replace(/[%_\\]/g, '')}%`))
      .orderBy('p.familyName').limit(20).execute();
    await tx.insertInto('auditEvent').values({ libraryId, actorAccountId: (ctx.actor as { accountId: string }).accountId, action: 'member.search', details: JSON.stringify({ results: rows.length }) }).execute();
    return rows;
  });
}

export async function viewMember(ctx: Ctx, libraryId: string, accountId: string, reason: string) {
  if (!(VIEW_REASONS as readonly string[]).includes(reason)) throw ReasonRequired();
  return inTenant(ctx.db, libraryId, async (tx) => {
    const { actor } = await requireStaff(ctx, tx, ['desk', 'librarian', 'library_admin']);
    if (!/^[0-9a-f-]{36}$/.test(accountId)) throw MemberNotFound();
    const profile = await tx.selectFrom('memberProfile').selectAll().where('accountId', '=', accountId).executeTakeFirst();
    if (!profile) throw MemberNotFound();
    const memberships = await tx.selectFrom('membership as m').innerJoin('plan as p', (j) => j.onRef('p.id', '=', 'm.planId').onRef('p.libraryId', '=', 'm.libraryId'))
      .select(['m.cardNumber', 'm.status', 'm.validUntil', 'p.nameNl', 'p.nameEn']).where('m.accountId', '=', accountId).execute();
    const charges = await tx.selectFrom('charge').select(['kind', 'amountCents', 'description', 'paidAt']).where('accountId', '=', accountId).execute();
    const email = await tx.selectFrom('account').select('email').where('id', '=', accountId).executeTakeFirst();
    await tx.insertInto('auditEvent').values({ libraryId, actorAccountId: actor.accountId, action: 'member.view', subjectAccountId: accountId, reasonCode: reason }).execute();
    return { profile, email: email?.email ?? null, memberships, charges };
  });
}

export async function auditTrail(ctx: Ctx, libraryId: string, limit = 200) {
  return inTenant(ctx.db, libraryId, async (tx) => {
    await requireStaff(ctx, tx, ['library_admin']);
    return tx.selectFrom('auditEvent as e')
      .leftJoin('account as actor', 'actor.id', 'e.actorAccountId')
      .select(['e.at', 'e.action', 'e.reasonCode', 'e.subjectAccountId', 'e.actorAccountId', 'actor.email as actorEmail', 'e.details'])
      .orderBy('e.at', 'desc').limit(Math.min(Math.max(limit, 1), 1000)).execute();
  });
}
