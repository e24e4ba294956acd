// The context every use case takes: services never see a request, so REST routes, pages, the
// CLI, SIP2 and background jobs all call the same functions.
import type { Kysely } from 'kysely';
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import type { Lang } from './i18n.ts';

export type StaffRole = 'desk' | 'librarian' | 'library_admin';
export type NetworkRole = 'network_staff' | 'municipality_viewer';

export interface AccountActor {
  kind: 'account';
  accountId: string;
  homeLibraryId: string;
  sessionHash: string;
  /** A second factor (TOTP) was given in this session. */
  mfa: boolean;
  // Staff roles are library-level data (under RLS): policies read them inside the tenant
  // transaction of the library concerned, so they are not loaded here.
  network: { role: NetworkRole; municipalityCode: string | null }[];
}

export type Actor =
  | { kind: 'anonymous' }
  | { kind: 'system'; name: string }
  | AccountActor;

export interface Ctx {
  db: Kysely<Database>;
  config: Config;
  requestId: string;
  lang: Lang;
  actor: Actor;
  /** The library whose portal or API the request addresses (tenant), when there is one. */
  libraryId?: string;
}

export function systemCtx(db: Kysely<Database>, config: Config, name: string): Ctx {
  return { db, config, requestId: `system:${name}`, lang: 'nl', actor: { kind: 'system', name } };
}
