// The context every use case takes: services never see a request, so REST routes, pages, the
// CLI, SIP2 and background jobs all call the same functions.
import type { Kysely } from 'kysely';
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import type { Lang } from './i18n.ts';

export type Actor =
  | { kind: 'anonymous' }
  | { kind: 'system'; name: string };

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
