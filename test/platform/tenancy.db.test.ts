// Tenancy is enforced by the database (architecture §6), proved from the catalog and by queries.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Db } from '../../src/platform/db/connection.ts';
import { inNetwork, inTenant } from '../../src/platform/db/tenant.ts';
import { prepared, tenantReads } from '../../src/platform/db/tenant-reads.ts';
import { testDatabase } from '../support/db.ts';

let db: Db;
before(async () => { db = await testDatabase(); });
after(async () => { await db.close(); });

/** Reference tables that carry a library_id but are public by nature (documented in their migration). */
const PUBLIC_REFERENCE = new Set(['library_service_area']);

async function tenantTables(): Promise<string[]> {
  const { rows } = await sql<{ table: string }>`
    select c.relname as table from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attname = 'library_id' and not a.attisdropped
    where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`.execute(db.kysely);
  return rows.map((r) => r.table);
}

describe('the schema', () => {
  test('every table with library_id has row-level security enabled and forced', async () => {
    const tables = await tenantTables();
    assert.ok(tables.includes('branch'), 'branch is a tenant table');
    const { rows } = await sql<{ table: string; enabled: boolean; forced: boolean }>`
      select relname as table, relrowsecurity as enabled, relforcerowsecurity as forced
      from pg_class where relname = any(${tables}) and relnamespace = 'public'::regnamespace`.execute(db.kysely);
    assert.equal(rows.length, tables.length);
    for (const r of rows) {
      assert.ok(r.enabled, `${r.table}: RLS enabled`);
      assert.ok(r.forced, `${r.table}: RLS forced`);
    }
  });

  test('library_id is part of every primary key and of every foreign key between library-level tables', async () => {
    const tables = new Set(await tenantTables());
    const { rows } = await sql<{ table: string; contype: string; columns: string[]; ftable: string | null; fcolumns: string[] | null; name: string }>`
      select c.relname as table, k.contype, k.conname as name,
        array(select a.attname::text from unnest(k.conkey) x join pg_attribute a on a.attrelid = k.conrelid and a.attnum = x) as columns,
        f.relname as ftable,
        case when k.confrelid <> 0 then
          array(select a.attname::text from unnest(k.confkey) x join pg_attribute a on a.attrelid = k.confrelid and a.attnum = x)
        end as fcolumns
      from pg_constraint k join pg_class c on c.oid = k.conrelid left join pg_class f on f.oid = k.confrelid
      where k.contype in ('p', 'f') and c.relnamespace = 'public'::regnamespace`.execute(db.kysely);
    for (const t of tables) {
      const pk = rows.find((r) => r.table === t && r.contype === 'p');
      assert.ok(pk, `${t} has a primary key`);
      assert.ok(pk.columns.includes('library_id'), `${t}: library_id in primary key (${pk.columns})`);
    }
    const fks = rows.filter((r) => r.contype === 'f' && tables.has(r.table) && r.ftable && tables.has(r.ftable));
    for (const fk of fks) {
      assert.ok(fk.columns.includes('library_id') && fk.fcolumns!.includes('library_id'),
        `${fk.name}: ${fk.table}(${fk.columns}) → ${fk.ftable}(${fk.fcolumns}) must include library_id on both sides`);
      assert.equal(fk.columns.indexOf('library_id'), fk.fcolumns!.indexOf('library_id'), `${fk.name}: library_id matches library_id`);
    }
  });

  test('the application role owns no table and cannot bypass row-level security', async () => {
    const { rows } = await sql<{ super: boolean; bypass: boolean; owned: number }>`
      select rolsuper as super, rolbypassrls as bypass,
        (select count(*)::int from pg_class where relowner = r.oid) as owned
      from pg_roles r where rolname = 'eenbieb_app'`.execute(db.kysely);
    assert.deepEqual(rows[0], { super: false, bypass: false, owned: 0 });
  });
});

describe('tenant isolation', () => {
  let a: string;
  let b: string;
  before(async () => {
    const libs = await db.kysely.selectFrom('library').select(['id', 'slug']).where('slug', 'in', ['utrecht', 'amsterdam']).execute();
    a = libs.find((l) => l.slug === 'utrecht')!.id;
    b = libs.find((l) => l.slug === 'amsterdam')!.id;
  });

  test('a request runs as the application role with the tenant set, both transaction-local', async () => {
    const inside = await inTenant(db.kysely, a, async (tx) =>
      (await sql<{ u: string; t: string }>`select current_user as u, current_setting('app.library_id', true) as t`.execute(tx)).rows[0]);
    assert.deepEqual(inside, { u: 'eenbieb_app', t: a });
    const outside = (await sql<{ u: string; t: string | null }>`select current_user as u, current_setting('app.library_id', true) as t`.execute(db.kysely)).rows[0]!;
    assert.notEqual(outside.u, 'eenbieb_app');
    assert.ok(!outside.t, 'the tenant setting does not leak out of the transaction');
  });

  test('tenantReads runs its statements in one message as the application role for the tenant, and nothing stays on the connection', async () => {
    const [who, branches, empty] = await tenantReads(db.kysely, a, [
      sql<{ u: string; t: string; jit: string }>`select current_user as u, current_setting('app.library_id', true) as t, current_setting('jit') as jit`,
      sql<{ libraryId: string }>`select library_id from branch`,
      sql<{ id: string }>`select id from branch where library_id = ${b}`,
    ] as const, { jit: 'off' });
    assert.deepEqual(who, [{ u: 'eenbieb_app', t: a, jit: 'off' }]);
    // row-level security binds every statement of the message; columns come camel-cased
    assert.ok(branches.length > 0 && branches.every((r) => r.libraryId === a));
    assert.deepEqual(empty, []);
    // on the same connection afterwards (PGlite has only one): the owner, no tenant, JIT as it was
    const after = (await sql<{ u: string; t: string | null }>`select current_user as u, current_setting('app.library_id', true) as t`.execute(db.kysely)).rows[0]!;
    assert.notEqual(after.u, 'eenbieb_app');
    assert.ok(!after.t, 'the tenant setting does not outlive the message');
    // a failing statement fails the whole message, and the connection stays usable
    await assert.rejects(tenantReads(db.kysely, a, [sql`select 1`, sql`select 1 / ${0}::int`] as const), /division by zero/);
    assert.equal((await sql<{ one: number }>`select 1 as one`.execute(db.kysely)).rows[0]!.one, 1);
  });

  test('tenantReads writes values into the text exactly as parameters would read, so no value can escape its literal', async () => {
    const values: unknown[] = [
      "it's", 'back\\slash', "\\'; select 1; --", "E'x'", '$1 $$ $tag$', '/* no */ -- no', 'tab\there', 'ünïcödé ✓ 𝄞', '',
      ['a', 'b"c', "d'e", 'f\\g', null, 'h,i', '{j}'], [1, 2, 3], 42, -7.5, true, false, null, new Date('2026-11-29T12:34:56.789Z'),
    ];
    for (const v of values) {
      const casted = Array.isArray(v) ? sql`${v}::text[]::text` : v instanceof Date ? sql`${v}::timestamptz::text` : sql`${v}::text`;
      const [[inline]] = await tenantReads(db.kysely, a, [sql<{ v: string | null }>`select ${casted} as v`] as const);
      const [param] = (await sql<{ v: string | null }>`select ${casted} as v`.execute(db.kysely)).rows;
      assert.deepEqual(inline, param, JSON.stringify(v));
    }
    // a NUL cannot be written into a query text: refused before anything is sent
    await assert.rejects(tenantReads(db.kysely, a, [sql`select ${'a\u0000b'}::text`] as const), /NUL/);
  });

  test('tenantReads runs a marked query as a prepared statement of its connection: prepared once, then only executed', async () => {
    const shape = (n: number) => prepared(sql<{ v: number; t: string }>`select ${n}::int + 1 as v, current_setting('app.library_id', true) as t`);
    const ours = sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements where name like 'eenbieb\_%'`;
    const [[first], [before]] = await tenantReads(db.kysely, a, [shape(1), ours] as const);
    assert.deepEqual(first, { v: 2, t: a });
    // the same shape with other values: executed again, not prepared again, still as the tenant
    const [[second], [after]] = await tenantReads(db.kysely, b, [shape(41), ours] as const);
    assert.deepEqual(second, { v: 42, t: b });
    assert.equal(after!.n, before!.n);
    // a message that fails after its PREPARE: the next one drops what the connection had and works
    const fresh = () => prepared(sql<{ v: number }>`select ${5}::int * 2 as v /* ${sql.raw(String(Date.now()))} */`);
    await assert.rejects(tenantReads(db.kysely, a, [fresh(), sql`select 1 / ${0}::int`] as const), /division by zero/);
    const [[again]] = await tenantReads(db.kysely, a, [fresh()] as const);
    assert.deepEqual(again, { v: 10 });
    // a connection keeps a bounded number: the least recently used are deallocated
    for (let i = 0; i < 70; i++) await tenantReads(db.kysely, a, [prepared(sql`select ${i}::int as v /* shape ${sql.raw(String(i))} */`)] as const);
    const [[kept]] = await tenantReads(db.kysely, a, [ours] as const);
    assert.ok(kept!.n <= 64, String(kept!.n));
    // the session's statements dropped behind its back (PGlite: the same session; a server: most
    // likely the same idle connection): the message is sent again after dropping them all
    await tenantReads(db.kysely, a, [shape(1)] as const);
    await sql`deallocate all`.execute(db.kysely);
    const [[healed]] = await tenantReads(db.kysely, a, [shape(2)] as const);
    assert.deepEqual(healed, { v: 3, t: a });
  });

  test('a prepared query is planned for its values at each run, or once and reused when marked generic', async () => {
    const marker = `plan_mode_${Date.now()}`;
    // (the branches it counts are behind row-level security: the tenant's own)
    const shape = (n: number, mode: 'custom' | 'generic') => prepared(sql<{ v: number; t: string; branches: number }>`select ${n}::int as v,
      current_setting('app.library_id', true) as t, (select count(*)::int from branch) as branches /* ${sql.raw(`${marker}_${mode}`)} */`, mode);
    const branchesOf = async (lib: string) => (await sql<{ n: number }>`select count(*)::int as n from branch where library_id = ${lib}`.execute(db.kysely)).rows[0]!.n;
    const own = { [a]: await branchesOf(a), [b]: await branchesOf(b) };
    assert.notEqual(own[a], own[b], 'the two tenants have different numbers of branches');
    const plans = (mode: string) => sql<{ generic: number; custom: number }>`select generic_plans::int as generic, custom_plans::int as custom
      from pg_prepared_statements where statement like ${`%${marker}_${mode} */%`}`;
    // (a statement is known by the text of the message that prepared it: one shape a message; run
    // one after another, the messages take the same idle connection)
    // (six runs: left to the server's default, the sixth could be generic)
    for (let i = 0; i < 6; i++) {
      // (tenants alternate: a kept plan still runs as the tenant of its message)
      const tenant = i % 2 ? b : a;
      const [[custom]] = await tenantReads(db.kysely, tenant, [shape(i, 'custom')] as const);
      const [[generic]] = await tenantReads(db.kysely, tenant, [shape(i, 'generic')] as const);
      const [[customPlans], [genericPlans]] = await tenantReads(db.kysely, a, [plans('custom'), plans('generic')] as const);
      assert.deepEqual([custom, generic], [{ v: i, t: tenant, branches: own[tenant] }, { v: i, t: tenant, branches: own[tenant] }]);
      // left to the server's default (auto), the first five runs would all be custom plans
      assert.deepEqual(genericPlans, { generic: i + 1, custom: 0 }, `run ${i + 1}`);
      assert.deepEqual(customPlans, { generic: 0, custom: i + 1 }, `run ${i + 1}`);
    }
  });

  test("with tenant A set, B's rows are invisible", async () => {
    const seen = await inTenant(db.kysely, a, (tx) => tx.selectFrom('branch').select('libraryId').execute());
    assert.ok(seen.length > 0);
    assert.ok(seen.every((r) => r.libraryId === a));
    const direct = await inTenant(db.kysely, a, (tx) => tx.selectFrom('branch').select('id').where('libraryId', '=', b).execute());
    assert.equal(direct.length, 0);
    const hours = await inTenant(db.kysely, a, (tx) => tx.selectFrom('branchOpeningHours').select('libraryId').distinct().execute());
    assert.deepEqual(hours.map((h) => h.libraryId), [a]);
  });

  test("with tenant A set, B's rows cannot be written, updated or deleted", async () => {
    await assert.rejects(
      inTenant(db.kysely, a, (tx) => tx.insertInto('branch').values({
        libraryId: b, slug: 'sneaky', name: 'x', street: 'x', houseNumber: '1', postcode: '1011 AB', city: 'x', municipalityCode: 'GM0363',
      }).execute()),
      /row-level security/,
    );
    const updated = await inTenant(db.kysely, a, (tx) => tx.updateTable('branch').set({ name: 'taken over' }).where('libraryId', '=', b).executeTakeFirst());
    assert.equal(Number(updated.numUpdatedRows), 0);
    const deleted = await inTenant(db.kysely, a, (tx) => tx.deleteFrom('branchOpeningException').where('libraryId', '=', b).executeTakeFirst());
    assert.equal(Number(deleted.numDeletedRows), 0);
    // moving one's own row to another tenant is refused too
    await assert.rejects(
      inTenant(db.kysely, a, (tx) => tx.updateTable('branch').set({ libraryId: b }).where('libraryId', '=', a).execute()),
      /row-level security|violates/,
    );
    const stillB = await db.kysely.selectFrom('branch').select('name').where('libraryId', '=', b).execute();
    assert.ok(stillB.length > 0 && stillB.every((r) => r.name !== 'taken over'));
  });

  test('with no tenant set, no library-level row is visible and nothing can be written', async () => {
    const rows = await inNetwork(db.kysely, async (tx) => ({
      branches: (await tx.selectFrom('branch').select('id').execute()).length,
      hours: (await tx.selectFrom('branchOpeningHours').select('branchId').execute()).length,
      exceptions: (await tx.selectFrom('branchOpeningException').select('branchId').execute()).length,
      libraries: (await tx.selectFrom('library').select('id').execute()).length,
    }));
    assert.deepEqual(rows, { branches: 0, hours: 0, exceptions: 0, libraries: 22 });
    await assert.rejects(inNetwork(db.kysely, (tx) => tx.insertInto('branch').values({
      libraryId: a, slug: 'nowhere', name: 'x', street: 'x', houseNumber: '1', postcode: '3511 AB', city: 'x', municipalityCode: 'GM0344',
    }).execute()), /row-level security/);
  });

  test('the application role cannot change network tables', async () => {
    await assert.rejects(inTenant(db.kysely, a, (tx) => tx.updateTable('library').set({ name: 'x' }).execute()), /permission denied/);
    await assert.rejects(inNetwork(db.kysely, (tx) => tx.deleteFrom('postcodeArea').execute()), /permission denied/);
  });
});
