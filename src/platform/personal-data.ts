// Personal data held by modules other than membership (registrations, later loans and holds) is
// reached through this registry: the member's export (AVG art. 15/20) collects every source, and
// erasure after the grace period anonymises every source. A module registers when it loads; the
// export test fails when a table that refers to an account is covered by no source.
import type { Ctx } from './context.ts';

export interface PersonalDataSource {
  /** Key in the export document. */
  name: string;
  /** Tables whose rows refer to the account (for the completeness test). */
  tables: string[];
  collect(ctx: Ctx, accountId: string): Promise<unknown>;
  /** Removes the link between the rows and the person, keeping anonymous counts. */
  anonymise(ctx: Ctx, accountId: string): Promise<void>;
}

const sources = new Map<string, PersonalDataSource>();

export function registerPersonalDataSource(source: PersonalDataSource): void {
  sources.set(source.name, source);
}

export function personalDataSources(): PersonalDataSource[] {
  return [...sources.values()];
}
