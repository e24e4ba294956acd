// Library admins configure their plans: fees, age limits, loan and hold limits, loan period.
// Every lending plan includes the national digital collection (the database refuses a lending
// plan without digital loans); a connected plan has no borrowing and no fee.
import type { Ctx } from '../../platform/context.ts';
import { inTenant } from '../../platform/db/tenant.ts';
import type { FieldError } from '../../platform/errors.ts';
import { InvalidDetails, PlanNotFound } from './membership.errors.ts';
import { requireStaff } from './membership.policy.ts';
import { defineError } from '../../platform/errors.ts';

export const PlanExists = defineError('MEMBERSHIP_PLAN_EXISTS', 409, (code: string) => ({
  nl: `Er is al een abonnement met de code ${code}.`,
  en: `A plan with code ${code} already exists.`,
}), 'code');

export interface PlanInput {
  code: string;
  nameNl: string;
  nameEn: string;
  kind: 'lending' | 'connected';
  yearlyFeeCents: number;
  minAge: number | null;
  maxAge: number | null;
  maxPhysicalLoans: number;
  maxDigitalLoans: number;
  maxHolds: number;
  loanPeriodDays: number;
  active?: boolean;
  sortOrder?: number;
}

/** The rules the database also enforces, checked first so the answer names the field. */
export function planProblems(p: PlanInput): FieldError[] {
  const errors: FieldError[] = [];
  const add = (field: string, nl: string, en: string) => errors.push({ field, message: { nl, en } });
  if (!/^[a-z0-9-]{2,40}$/.test(p.code)) add('code', 'Gebruik 2–40 kleine letters, cijfers of streepjes.', 'Use 2–40 lower-case letters, digits or dashes.');
  if (p.kind === 'lending' && (p.maxPhysicalLoans < 1 || p.maxDigitalLoans < 1)) {
    add('maxDigitalLoans', 'Een abonnement met lenen omvat altijd fysieke én digitale leningen (minstens 1).', 'A lending plan always includes physical and digital loans (at least 1).');
  }
  if (p.kind === 'connected' && (p.maxPhysicalLoans || p.maxDigitalLoans || p.maxHolds || p.yearlyFeeCents)) {
    add('kind', 'Een gratis account heeft geen leningen, reserveringen of kosten.', 'A free account has no loans, holds or fee.');
  }
  if (p.minAge !== null && p.maxAge !== null && p.minAge > p.maxAge) add('maxAge', 'De maximumleeftijd ligt onder de minimumleeftijd.', 'The maximum age is below the minimum age.');
  return errors;
}

// Authorisation first: whoever may not manage plans learns nothing from validation messages.
export async function createPlan(ctx: Ctx, libraryId: string, input: PlanInput): Promise<void> {
  await inTenant(ctx.db, libraryId, async (tx) => {
    const { actor } = await requireStaff(ctx, tx, ['library_admin']);
    const errors = planProblems(input);
    if (errors.length) throw InvalidDetails(errors);
    const inserted = await tx.insertInto('plan').values({ ...input, libraryId }).onConflict((oc) => oc.columns(['libraryId', 'code']).doNothing()).returning('id').executeTakeFirst();
    if (!inserted) throw PlanExists(input.code);
    await tx.insertInto('auditEvent').values({ libraryId, actorAccountId: actor.accountId, action: 'plan.created', details: JSON.stringify({ code: input.code }) }).execute();
  });
}

export async function updatePlan(ctx: Ctx, libraryId: string, code: string, input: Omit<PlanInput, 'code'>): Promise<void> {
  await inTenant(ctx.db, libraryId, async (tx) => {
    const { actor } = await requireStaff(ctx, tx, ['library_admin']);
    const errors = planProblems({ ...input, code });
    if (errors.length) throw InvalidDetails(errors);
    const updated = await tx.updateTable('plan').set(input).where('code', '=', code).executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) throw PlanNotFound();
    await tx.insertInto('auditEvent').values({ libraryId, actorAccountId: actor.accountId, action: 'plan.updated', details: JSON.stringify({ code }) }).execute();
  });
}
