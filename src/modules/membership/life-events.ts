// Life events of a membership: a connected user becomes a member, a member moves house (to
// another library's area: the membership moves there), a member stops borrowing but keeps a
// free account.
import type { Ctx } from '../../platform/context.ts';
import { inTenant, switchTenant } from '../../platform/db/tenant.ts';
import { parsePostcode } from '../../shared/postcode.ts';
import { hashSecret } from '../accounts/credentials.ts';
import { getLibrary, routePostcode } from '../network/index.ts';
import { issueCardNumber } from './card.ts';
import { AgeOutsidePlan, AlreadyMember, InvalidDetails, PlanNotFound } from './membership.errors.ts';
import { requireSelf } from './membership.policy.ts';
import { addressErrors, ageOn, pinErrors } from './membership.service.ts';

export interface AddressInput {
  postcode: string;
  street: string;
  houseNumber: string;
  city: string;
}

const END_OF_YEAR = () => { const d = new Date(); d.setUTCFullYear(d.getUTCFullYear() + 1); return d.toISOString().slice(0, 10); };

/** A connected user chooses a lending plan: the same card, now for borrowing (physical and digital). */
export async function becomeMember(ctx: Ctx, input: AddressInput & { plan: string; birthDate: string; pin: string }): Promise<void> {
  const actor = requireSelf(ctx);
  const errors = addressErrors(input);
  if (!input.birthDate || !/^\d{4}-\d{2}-\d{2}$/.test(input.birthDate)) errors.push({ field: 'birthDate', message: { nl: 'Vul uw geboortedatum in.', en: 'Enter your date of birth.' } });
  errors.push(...pinErrors(input.pin));
  if (errors.length) throw InvalidDetails(errors);
  const pinHash = await hashSecret(input.pin);
  await inTenant(ctx.db, actor.homeLibraryId, async (tx) => {
    const plan = await tx.selectFrom('plan').selectAll().where('code', '=', input.plan).where('active', '=', true).executeTakeFirst();
    if (!plan || plan.kind !== 'lending') throw PlanNotFound();
    const age = ageOn(input.birthDate);
    if ((plan.minAge !== null && age < plan.minAge) || (plan.maxAge !== null && age > plan.maxAge)) throw AgeOutsidePlan(plan.minAge, plan.maxAge);
    const current = await tx.selectFrom('membership as m').innerJoin('plan as p', (j) => j.onRef('p.id', '=', 'm.planId').onRef('p.libraryId', '=', 'm.libraryId'))
      .select(['m.id', 'p.kind']).where('m.accountId', '=', actor.accountId).where('m.status', '=', 'active').forUpdate().executeTakeFirst();
    if (current?.kind === 'lending') throw AlreadyMember();
    const p = parsePostcode(input.postcode) as { formatted: string };
    await tx.updateTable('memberProfile').set({ birthDate: input.birthDate, street: input.street.trim(), houseNumber: input.houseNumber.trim(), postcode: p.formatted, city: input.city.trim(), updatedAt: new Date() })
      .where('accountId', '=', actor.accountId).execute();
    let membershipId = current?.id;
    if (membershipId) {
      await tx.updateTable('membership').set({ planId: plan.id, pinHash, validUntil: END_OF_YEAR() }).where('id', '=', membershipId).execute();
    } else {
      const library = await tx.selectFrom('library').select('cardPrefix').where('id', '=', actor.homeLibraryId).executeTakeFirstOrThrow();
      const card = await issueCardNumber(tx, actor.homeLibraryId, library.cardPrefix);
      membershipId = (await tx.insertInto('membership').values({ libraryId: actor.homeLibraryId, accountId: actor.accountId, planId: plan.id, cardNumber: card, pinHash, status: 'active', validUntil: END_OF_YEAR() })
        .returning('id').executeTakeFirstOrThrow()).id;
    }
    if (plan.yearlyFeeCents > 0) {
      await tx.insertInto('charge').values({ libraryId: actor.homeLibraryId, accountId: actor.accountId, membershipId, kind: 'membership_fee', amountCents: plan.yearlyFeeCents, description: `${plan.nameNl} ${new Date().getUTCFullYear()}` }).execute();
    }
    await tx.insertInto('auditEvent').values({ libraryId: actor.homeLibraryId, actorAccountId: actor.accountId, subjectAccountId: actor.accountId, action: 'membership.upgraded', details: JSON.stringify({ plan: plan.code }) }).execute();
  });
}

export type MoveResult =
  | { status: 'address_updated' }
  | { status: 'confirm_transfer'; library: { slug: string; name: string }; municipality: { code: string; name: string } }
  | { status: 'transferred'; library: { slug: string; name: string }; cardNumber: string | null };

/**
 * Moving house. Within the same library's area only the address changes. Into another library's
 * area the membership moves there once the member confirms: in one transaction the old library
 * ends it ("transferred") and the new one issues a card on the nearest plan; the profile and
 * consents move, both libraries record the transfer in their audit trail, and open charges stay
 * with the old library. (Reading history moves only with the member's consent: lending's issue.)
 */
export async function moveHouse(ctx: Ctx, input: AddressInput & { confirm?: boolean }): Promise<MoveResult> {
  const actor = requireSelf(ctx);
  const errors = addressErrors(input);
  if (errors.length) throw InvalidDetails(errors);
  const route = await routePostcode(ctx, input.postcode);
  const target = await getLibrary(ctx, route.library.slug);
  const postcode = (parsePostcode(input.postcode) as { formatted: string }).formatted;
  const address = { street: input.street.trim(), houseNumber: input.houseNumber.trim(), postcode, city: input.city.trim(), updatedAt: new Date() };
  if (target.id === actor.homeLibraryId) {
    await inTenant(ctx.db, actor.homeLibraryId, async (tx) => {
      await tx.updateTable('memberProfile').set(address).where('accountId', '=', actor.accountId).execute();
      await tx.insertInto('auditEvent').values({ libraryId: actor.homeLibraryId, actorAccountId: actor.accountId, subjectAccountId: actor.accountId, action: 'profile.address_changed' }).execute();
    });
    return { status: 'address_updated' };
  }
  if (!input.confirm) return { status: 'confirm_transfer', library: { slug: target.slug, name: target.name }, municipality: route.municipality };

  const from = actor.homeLibraryId;
  const pinAndPlan = await inTenant(ctx.db, from, async (tx) => {
    const profile = await tx.selectFrom('memberProfile').selectAll().where('accountId', '=', actor.accountId).forUpdate().executeTakeFirstOrThrow();
    const consents = await tx.selectFrom('consent').select(['purpose', 'granted']).where('accountId', '=', actor.accountId).execute();
    const membership = await tx.selectFrom('membership as m').innerJoin('plan as p', (j) => j.onRef('p.id', '=', 'm.planId').onRef('p.libraryId', '=', 'm.libraryId'))
      .select(['m.id', 'm.pinHash', 'p.code', 'p.kind']).where('m.accountId', '=', actor.accountId).where('m.status', '=', 'active').forUpdate().executeTakeFirst();
    await tx.updateTable('membership').set({ status: 'transferred', endedAt: new Date(), pinHash: null }).where('accountId', '=', actor.accountId).where('status', '=', 'active').execute();
    await tx.deleteFrom('consent').where('accountId', '=', actor.accountId).execute();
    await tx.deleteFrom('memberProfile').where('accountId', '=', actor.accountId).execute();
    await tx.insertInto('auditEvent').values({ libraryId: from, actorAccountId: actor.accountId, subjectAccountId: actor.accountId, action: 'membership.transferred_out', details: JSON.stringify({ to: target.slug }) }).execute();

    // the same transaction continues at the new library
    await switchTenant(tx, target.id);
    const plans = await tx.selectFrom('plan').selectAll().where('active', '=', true).orderBy('sortOrder').execute();
    const plan = plans.find((p) => p.code === membership?.code) ?? plans.find((p) => p.kind === (membership?.kind ?? 'connected'));
    if (!plan) throw PlanNotFound();
    await tx.insertInto('memberProfile').values({ ...profile, ...address, libraryId: target.id }).execute();
    await tx.insertInto('consent').values(consents.map((c) => ({ libraryId: target.id, accountId: actor.accountId, purpose: c.purpose, granted: c.granted }))).execute();
    const card = await issueCardNumber(tx, target.id, target.cardPrefix);
    await tx.insertInto('membership').values({
      libraryId: target.id, accountId: actor.accountId, planId: plan.id, cardNumber: card, status: 'active',
      pinHash: plan.kind === 'lending' ? membership?.pinHash ?? null : null, validUntil: plan.kind === 'lending' ? END_OF_YEAR() : null,
    }).execute();
    await tx.insertInto('auditEvent').values({ libraryId: target.id, actorAccountId: actor.accountId, subjectAccountId: actor.accountId, action: 'membership.transferred_in', details: JSON.stringify({ from: from, plan: plan.code }) }).execute();
    await tx.updateTable('account').set({ homeLibraryId: target.id }).where('id', '=', actor.accountId).execute();
    return { card };
  });
  return { status: 'transferred', library: { slug: target.slug, name: target.name }, cardNumber: pinAndPlan.card };
}

/** Stop borrowing: the membership becomes a free connected account (or the account is deleted). */
export async function stopBorrowing(ctx: Ctx): Promise<void> {
  const actor = requireSelf(ctx);
  await inTenant(ctx.db, actor.homeLibraryId, async (tx) => {
    const connected = await tx.selectFrom('plan').select('id').where('kind', '=', 'connected').where('active', '=', true).orderBy('sortOrder').executeTakeFirst();
    if (!connected) throw PlanNotFound();
    const updated = await tx.updateTable('membership').set({ planId: connected.id, pinHash: null, validUntil: null })
      .where('accountId', '=', actor.accountId).where('status', '=', 'active').executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) throw PlanNotFound();
    await tx.insertInto('auditEvent').values({ libraryId: actor.homeLibraryId, actorAccountId: actor.accountId, subjectAccountId: actor.accountId, action: 'membership.stopped_borrowing' }).execute();
  });
}
