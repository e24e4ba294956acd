import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabase } from '../../../../test/support/db.ts';
import type { Db } from '../../../platform/db/connection.ts';
import { systemCtx } from '../../../platform/context.ts';
import { testConfig } from '../../../platform/config.ts';
import { inTenant } from '../../../platform/db/tenant.ts';
import { AppError } from '../../../platform/errors.ts';
import { DEMO_KIOSK, addKiosk, authenticateKiosk, seedDemoKiosk } from './kiosk.service.ts';

describe('kiosk credentials', () => {
  let db: Db;
  before(async () => { db = await testDatabase(); });
  after(async () => { await db.close(); });
  const ctx = () => systemCtx(db.kysely, testConfig(), 'test');

  it('a new kiosk gets a generated password, stored only as an argon2id hash', async () => {
    const { kiosk, cn, password } = await addKiosk(ctx(), { librarySlug: 'utrecht', branchSlug: 'noord', login: 'Noord-1' });
    assert.equal(cn, 'utrecht/noord-1');
    assert.match(password, /^[A-Za-z0-9_-]{24}$/);
    assert.equal(kiosk.branchSlug, 'noord');
    assert.equal(kiosk.institutionId, 'UTRECHT');
    const row = await inTenant(db.kysely, kiosk.libraryId, (tx) => tx.selectFrom('kiosk').select(['passwordHash']).where('id', '=', kiosk.id).executeTakeFirstOrThrow());
    assert.match(row.passwordHash, /^\$argon2id\$/);
    assert.ok(!row.passwordHash.includes(password));

    const ok = await authenticateKiosk(ctx(), cn, password);
    assert.equal(ok?.id, kiosk.id);
    assert.equal(ok?.libraryName, 'Bibliotheek Utrecht');
    assert.equal(await authenticateKiosk(ctx(), cn, `${password}x`), null);
    assert.equal(await authenticateKiosk(ctx(), 'utrecht/nobody', password), null);
    assert.equal(await authenticateKiosk(ctx(), 'noord-1', password), null, 'without the library the login is unknown');
  });

  it('a kiosk login belongs to one library: the same name elsewhere is another kiosk', async () => {
    const a = await addKiosk(ctx(), { librarySlug: 'utrecht', branchSlug: 'oost', login: 'balie' });
    const b = await addKiosk(ctx(), { librarySlug: 'amsterdam', branchSlug: 'noord', login: 'balie', institutionId: 'OBA' });
    assert.notEqual(a.kiosk.libraryId, b.kiosk.libraryId);
    assert.equal(await authenticateKiosk(ctx(), 'amsterdam/balie', a.password), null);
    assert.equal((await authenticateKiosk(ctx(), 'amsterdam/balie', b.password))?.institutionId, 'OBA');
  });

  it('refuses an unknown library or branch, a bad login name and a duplicate, with stable codes', async () => {
    const code = async (p: Promise<unknown>) => { try { await p; return 'ok'; } catch (e) { return e instanceof AppError ? e.code : String(e); } };
    assert.equal(await code(addKiosk(ctx(), { librarySlug: 'atlantis', branchSlug: 'noord', login: 'k1' })), 'SIP2_LIBRARY_UNKNOWN');
    assert.equal(await code(addKiosk(ctx(), { librarySlug: 'utrecht', branchSlug: 'maan', login: 'k1' })), 'SIP2_BRANCH_UNKNOWN');
    assert.equal(await code(addKiosk(ctx(), { librarySlug: 'utrecht', branchSlug: 'noord', login: 'k 1/x' })), 'SIP2_KIOSK_LOGIN_INVALID');
    assert.equal(await code(addKiosk(ctx(), { librarySlug: 'utrecht', branchSlug: 'noord', login: 'k1', institutionId: 'A|B' })), 'SIP2_INSTITUTION_INVALID');
    assert.equal(await code(addKiosk(ctx(), { librarySlug: 'utrecht', branchSlug: 'noord', login: 'k1' })), 'ok');
    assert.equal(await code(addKiosk(ctx(), { librarySlug: 'utrecht', branchSlug: 'zuid', login: 'k1' })), 'SIP2_KIOSK_EXISTS');
  });

  it('an inactive kiosk cannot log in', async () => {
    const { kiosk, cn, password } = await addKiosk(ctx(), { librarySlug: 'utrecht', branchSlug: 'centrale-bibliotheek', login: 'weg' });
    await inTenant(db.kysely, kiosk.libraryId, (tx) => tx.updateTable('kiosk').set({ active: false }).where('id', '=', kiosk.id).execute());
    assert.equal(await authenticateKiosk(ctx(), cn, password), null);
  });

  it('the demo kiosk of the README logs in with its documented password (seeding twice is harmless)', async () => {
    await seedDemoKiosk(db.kysely);
    await seedDemoKiosk(db.kysely);
    const k = await authenticateKiosk(ctx(), `${DEMO_KIOSK.librarySlug}/${DEMO_KIOSK.login}`, DEMO_KIOSK.password);
    assert.equal(k?.branchSlug, 'centrale-bibliotheek');
    assert.equal(k?.institutionId, 'UTRECHT');
  });

  it('row-level security keeps kiosks to their library', async () => {
    const { kiosk } = await addKiosk(ctx(), { librarySlug: 'utrecht', branchSlug: 'zuid', login: 'rls' });
    const other = await db.kysely.selectFrom('library').select('id').where('slug', '=', 'amsterdam').executeTakeFirstOrThrow();
    const seen = await inTenant(db.kysely, other.id, (tx) => tx.selectFrom('kiosk').select('id').where('id', '=', kiosk.id).execute());
    assert.deepEqual(seen, []);
  });
});
