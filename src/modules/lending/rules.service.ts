// Loan rules of a library, set by its admins (second factor required, like plans): the lending
// settings (late fees, block threshold, renewals, pickup days, self-checkout, history retention)
// and loan periods per format and optionally per plan. Desk staff may read them.
import type { Ctx } from '../../platform/context.ts';
import { inTenant, type Tx } from '../../platform/db/tenant.ts';
import { requireStaff } from '../membership/index.ts';
import { FORMATS } from '../catalogue/index.ts';
import { ValidationFailed, type FieldError } from '../../platform/errors.ts';
import { requireDesk } from './desk.service.ts';
import { settingsOf } from './lending.repository.ts';
import type { LendingSettings } from './loan-rules.ts';

export interface RuleInput { plan: string | null; format: string | null; loanPeriodDays: number; maxRenewals: number | null }
export interface Rules { settings: LendingSettings; rules: RuleInput[] }

async function read(tx: Tx, libraryId: string): Promise<Rules> {
  const rules = await tx.selectFrom('loanRule as r').leftJoin('plan as p', (j) => j.onRef('p.libraryId', '=', 'r.libraryId').onRef('p.id', '=', 'r.planId'))
    .select(['p.code as plan', 'r.format', 'r.loanPeriodDays', 'r.maxRenewals']).where('r.libraryId', '=', libraryId)
    .orderBy('p.code').orderBy('r.format').execute();
  return { settings: await settingsOf(tx, libraryId), rules };
}

export async function getRules(ctx: Ctx, libraryId: string): Promise<Rules> {
  return inTenant(ctx.db, libraryId, async (tx) => {
    await requireDesk(ctx, tx, libraryId);
    return read(tx, libraryId);
  });
}

/** Replaces the settings and the whole rule list (one transaction, audited). */
export async function setRules(ctx: Ctx, libraryId: string, input: Rules): Promise<Rules> {
  return inTenant(ctx.db, libraryId, async (tx) => {
    // library admins only, with a second factor (the membership module's staff policy)
    const { actor: admin } = await requireStaff(ctx, tx, ['library_admin']);
    const actor = admin.accountId;
    const plans = new Map((await tx.selectFrom('plan').select(['id', 'code']).where('libraryId', '=', libraryId).execute()).map((p) => [p.code, p.id]));
    const errors: FieldError[] = [];
    const seen = new Set<string>();
    input.rules.forEach((r, i) => {
      if (r.plan !== null && !plans.has(r.plan)) errors.push({ field: `rules/${i}/plan`, message: { nl: `Onbekend abonnement: ${r.plan}.`, en: `Unknown plan: ${r.plan}.` } });
      if (r.format !== null && !(FORMATS as readonly string[]).includes(r.format)) errors.push({ field: `rules/${i}/format`, message: { nl: `Onbekende vorm: ${r.format}.`, en: `Unknown format: ${r.format}.` } });
      const key = `${r.plan ?? '*'}|${r.format ?? '*'}`;
      if (seen.has(key)) errors.push({ field: `rules/${i}`, message: { nl: 'Deze combinatie van abonnement en vorm staat er al.', en: 'This combination of plan and format is already listed.' } });
      seen.add(key);
    });
    if (errors.length) throw ValidationFailed(errors);
    await tx.insertInto('lendingSettings').values({ libraryId, ...input.settings })
      .onConflict((oc) => oc.column('libraryId').doUpdateSet(input.settings)).execute();
    await tx.deleteFrom('loanRule').where('libraryId', '=', libraryId).execute();
    if (input.rules.length) {
      await tx.insertInto('loanRule').values(input.rules.map((r) => ({
        libraryId, planId: r.plan ? plans.get(r.plan)! : null, format: r.format, loanPeriodDays: r.loanPeriodDays, maxRenewals: r.maxRenewals,
      }))).execute();
    }
    await tx.insertInto('auditEvent').values({ libraryId, actorAccountId: actor, action: 'lending.rules_changed', details: JSON.stringify({ rules: input.rules.length }) }).execute();
    return read(tx, libraryId);
  });
}
