// Which engine this test run uses, and where the migrated + seeded template lives. test/run.ts
// prepares the template once per run; each test file starts its own database from it.
export const TEMPLATE_ENV = {
  pglite: 'EENBIEB_TEST_PGLITE_TEMPLATE',
  postgres: 'EENBIEB_TEST_PG_TEMPLATE',
} as const;

export function engine(): 'pglite' | 'postgres' {
  return process.env.DATABASE_URL ? 'postgres' : 'pglite';
}

/** The demo network is seeded as of this moment in every test database, for stable hours. */
export const SEED_DATE = new Date();
