// Bulk data for benchmarks at national scale, generated inside PostgreSQL with set-based
// INSERT … SELECT generate_series (no row-by-row round trips): members (account, membership with a
// Luhn-valid card number, profile) spread over the demo libraries, and a catalogue of national
// titles with physical copies at one library's branches.
//
// Everything is deterministic, so a benchmark computes a member's card number or a copy's barcode
// from its serial without reading them back:
//   member n (1-based, network-wide) → account id memberId(n), e-mail lid<n>@bench.example;
//     its card is cardNumber(prefix of its library, serial within that library)
//   copy n (0-based) → barcode itemBarcode(n), title n % titles — two titles back when that one is
//     an e-book or audiobook (n % titles % 20 is 17 or 18), which has no copies (migration 0107) —,
//     branch n % branches (by slug)
// Ids are sequential UUIDs (version-4 form): the primary-key indexes grow at their right edge, as
// with time-ordered ids, instead of touching random pages of an index far larger than the cache.
//
// Generated rows go in as the owner, per library with the tenant set (so row-level security and
// its policies accept them on a server where the owner is not a superuser). Where the connecting
// user may (a superuser, as on the benchmarks' throwaway server), session_replication_role=replica
// skips the foreign-key triggers for the member tables: the rows are consistent by construction
// and checking 24 million references one by one would dominate the load; the same for copies. The
// title trigger (search document) must run, so titles are loaded with triggers on; the GIN index is
// dropped during the load and re-created from its own definition afterwards.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { cardNumber } from '../../src/modules/membership/card.ts';
import { makeBarcode } from '../../src/modules/catalogue/identifiers.ts';

/**
 * The title of copy `n` (SQL): n % titles, or two titles back when that is an e-book or audiobook
 * (the titles' formats go by their serial % 20: 17 e-book, 18 audiobook; 15 and 16 are books).
 */
function physicalTitleSql(n: string, titles: number): string {
  return `(CASE WHEN (${n} % ${titles}) % 20 IN (17, 18) THEN ${n} % ${titles} - 2 ELSE ${n} % ${titles} END)`;
}

/** Sequential UUIDs per kind of row: kind 1 accounts, 2 memberships, 3 works, 4 titles, 5 copies. */
const uuidSql = (kind: number, expr: string) =>
  `('00000000-0000-4000-8${kind.toString(16).padStart(3, '0')}-' || lpad(to_hex(${expr}), 12, '0'))::uuid`;
export const benchUuid = (kind: number, n: number) => `00000000-0000-4000-8${kind.toString(16).padStart(3, '0')}-${n.toString(16).padStart(12, '0')}`;

export const memberId = (n: number) => benchUuid(1, n);
export const memberEmail = (n: number) => `lid${String(n).padStart(8, '0')}@bench.example`;
/** Copies get barcodes 8 + 11-digit serial + Luhn digit (13 digits; the demo seed uses other prefixes). */
export const itemBarcode = (n: number) => makeBarcode(`8${String(n).padStart(11, '0')}`);

/**
 * The Luhn check digit of a `length`-digit number (a bigint SQL expression) as an SQL expression,
 * the same as src/shared/luhn.ts: from the right, every other digit doubled (2d - 9 when 2d > 9,
 * i.e. 2d - 9·(d / 5) in integer arithmetic). Plain arithmetic, so it costs next to nothing per row.
 */
function luhnSql(n: string, length: number): string {
  const terms: string[] = [];
  for (let i = 0; i < length; i++) {
    const d = `((${n}) / ${10n ** BigInt(i)} % 10)`;
    terms.push(i % 2 === 0 ? `(2 * ${d} - 9 * (${d} / 5))` : d);
  }
  return `((10 - (${terms.join(' + ')}) % 10) % 10)::text`;
}

export interface LibraryShare {
  libraryId: string;
  slug: string;
  cardPrefix: string;
  /** Members of this library: network-wide member numbers firstMember … firstMember + count - 1. */
  firstMember: number;
  count: number;
  /** Card serial of the first member (serials continue the library's card counter). */
  firstSerial: number;
}

export interface MemberLayout { total: number; libraries: LibraryShare[] }

/** The card number of member n (network-wide number) under a layout. */
export function memberCard(layout: MemberLayout, n: number): string {
  const lib = layout.libraries.find((l) => n >= l.firstMember && n < l.firstMember + l.count);
  if (!lib) throw new Error(`member ${n} is outside the generated range`);
  return cardNumber(lib.cardPrefix, lib.firstSerial + (n - lib.firstMember));
}

async function tryReplicaRole(client: pg.Client): Promise<boolean> {
  try {
    await client.query(`SET session_replication_role = replica`);
    return true;
  } catch {
    return false; // not a superuser: foreign keys are checked row by row (slower, same result)
  }
}

/**
 * Generates `total` members: `mainShare` of them at the library `mainSlug`, the rest spread evenly
 * over the other libraries with a card series. Plans: 70 % adults, 20 % youth, 10 % basic.
 * Batches of `batch` members per statement keep each transaction's footprint bounded.
 */
export async function generateMembers(url: string, options: { total: number; mainSlug: string; mainShare: number; batch?: number; progress?: (line: string) => void }): Promise<MemberLayout> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const batch = options.batch ?? 500_000;
  try {
    const replica = await tryReplicaRole(client);
    const libs = (await client.query<{ id: string; slug: string; card_prefix: string; last_serial: string | null }>(`
      SELECT l.id, l.slug, l.card_prefix, s.last_serial FROM library l LEFT JOIN card_sequence s ON s.library_id = l.id
      WHERE l.card_prefix IS NOT NULL ORDER BY l.slug`)).rows;
    const main = libs.find((l) => l.slug === options.mainSlug);
    if (!main) throw new Error(`no library ${options.mainSlug} with a card series`);
    const others = libs.filter((l) => l !== main);
    const mainCount = Math.round(options.total * options.mainShare);
    const counts = new Map<string, number>([[main.id, mainCount]]);
    others.forEach((l, i) => counts.set(l.id, Math.floor((options.total - mainCount) / others.length) + (i < (options.total - mainCount) % others.length ? 1 : 0)));
    const layout: MemberLayout = { total: options.total, libraries: [] };
    let next = 1;
    for (const l of [main, ...others]) {
      const count = counts.get(l.id)!;
      layout.libraries.push({ libraryId: l.id, slug: l.slug, cardPrefix: l.card_prefix, firstMember: next, count, firstSerial: Number(l.last_serial ?? 0) + 1 });
      next += count;
    }
    for (const share of layout.libraries) {
      if (share.count === 0) continue;
      const started = performance.now();
      await client.query(`SELECT set_config('app.library_id', $1, false)`, [share.libraryId]);
      const plans = (await client.query<{ id: string; code: string }>(`SELECT id, code FROM plan WHERE library_id = $1`, [share.libraryId])).rows;
      const plan = (code: string) => plans.find((p) => p.code === code)?.id ?? plans[0]!.id;
      for (let from = share.firstMember; from < share.firstMember + share.count; from += batch) {
        const to = Math.min(from + batch, share.firstMember + share.count) - 1;
        const range = [from, to];
        await client.query('BEGIN');
        await client.query(`
          INSERT INTO account (id, email, email_verified_at, home_library_id, preferred_language, created_at)
          SELECT ${uuidSql(1, 'g')}, 'lid' || lpad(g::text, 8, '0') || '@bench.example', now(), $3::uuid,
                 CASE WHEN g % 10 = 0 THEN 'en' ELSE 'nl' END, now()
          FROM generate_series($1::bigint, $2::bigint) g`, [...range, share.libraryId]);
        // card serial = first serial + (member number - first member of the library)
        await client.query(`
          INSERT INTO membership (library_id, id, account_id, plan_id, card_number, status, valid_from, created_at)
          SELECT $3::uuid, ${uuidSql(2, 'g')}, ${uuidSql(1, 'g')},
                 CASE WHEN g % 10 < 7 THEN $4::uuid WHEN g % 10 < 9 THEN $5::uuid ELSE $6::uuid END,
                 lpad(c.body::text, 13, '0') || ${luhnSql('c.body', 13)}, 'active', current_date - (g % 3000)::int, now()
          FROM generate_series($1::bigint, $2::bigint) g,
               LATERAL (SELECT $7::bigint * 100000000 + $8::bigint + g AS body) c`,
          [...range, share.libraryId, plan('volwassen'), plan('jeugd'), plan('basis'), share.cardPrefix, share.firstSerial - share.firstMember]);
        await client.query(`
          INSERT INTO member_profile (library_id, account_id, given_name, family_name, birth_date, postcode, city)
          SELECT $3::uuid, ${uuidSql(1, 'g')}, (ARRAY['Anna','Jan','Sanne','Pieter','Fleur','Daan','Emma','Bram','Noor','Fatima','Mohamed','Lotte'])[1 + g % 12],
                 'Lid ' || g, date '1940-01-01' + ((g * 7919) % 29000)::int,
                 (1000 + g % 8999)::text || ' ' || chr(65 + (g % 26)::int) || chr(65 + ((g / 26) % 26)::int), 'Bench'
          FROM generate_series($1::bigint, $2::bigint) g`, [...range, share.libraryId]);
        await client.query('COMMIT');
      }
      // the card counter continues after the generated serials, so a sign-up never collides
      await client.query(`
        INSERT INTO card_sequence (library_id, last_serial) VALUES ($1, $2)
        ON CONFLICT (library_id) DO UPDATE SET last_serial = excluded.last_serial`, [share.libraryId, share.firstSerial + share.count - 1]);
      options.progress?.(`  ${share.slug}: ${share.count.toLocaleString('en')} members in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    if (replica) {
      await client.query(`SET session_replication_role = origin`);
      await client.query(`SELECT eenbieb_refresh_all_holdings()`);
    }
    // the benchmark computes cards from member numbers: check the database agrees (the last member)
    const last = layout.libraries[0]!;
    const n = last.firstMember + last.count - 1;
    const stored = await client.query<{ card_number: string }>(`SELECT card_number FROM membership WHERE library_id = $1 AND account_id = $2`, [last.libraryId, memberId(n)]);
    if (stored.rows[0]?.card_number !== memberCard(layout, n)) throw new Error(`generated card ${stored.rows[0]?.card_number} is not ${memberCard(layout, n)}`);
    return layout;
  } finally {
    await client.end();
  }
}

export interface CatalogueLayout {
  titles: number;
  items: number;
  libraryId: string;
  /** Branch slugs in slug order: copy n stands at branches[n % branches.length]. */
  branches: { id: string; slug: string }[];
}

/**
 * Generates `titles` national titles (one work each; 85 % books, then e-books, audiobooks, DVDs)
 * and `items` copies at the branches of `librarySlug`, copy n of title n % titles. The title
 * trigger builds each search document; the GIN index is rebuilt once at the end.
 */
export async function generateCatalogue(url: string, options: { titles: number; items: number; librarySlug: string; batch?: number; progress?: (line: string) => void }): Promise<CatalogueLayout> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const batch = options.batch ?? 250_000;
  try {
    const lib = (await client.query<{ id: string }>(`SELECT id FROM library WHERE slug = $1`, [options.librarySlug])).rows[0];
    if (!lib) throw new Error(`no library ${options.librarySlug}`);
    await client.query(`SELECT set_config('app.library_id', $1, false)`, [lib.id]);
    const branches = (await client.query<{ id: string; slug: string }>(`SELECT id, slug FROM branch WHERE library_id = $1 ORDER BY slug`, [lib.id])).rows;
    let started = performance.now();
    const gin = (await client.query<{ def: string }>(`SELECT pg_get_indexdef('title_search_idx'::regclass) AS def`)).rows[0]!.def;
    await client.query(`DROP INDEX title_search_idx`);
    for (let from = 0; from < options.titles; from += batch) {
      const to = Math.min(from + batch, options.titles) - 1;
      await client.query('BEGIN');
      await client.query(`INSERT INTO work (id) SELECT ${uuidSql(3, 'g')} FROM generate_series($1::bigint, $2::bigint) g`, [from, to]);
      await client.query(`
        INSERT INTO title (id, work_id, source, source_id, format, title, contributor_names, language, year, genres, subjects, audience, popularity)
        SELECT ${uuidSql(4, 'g')}, ${uuidSql(3, 'g')}, 'bench', 'b' || g,
               CASE WHEN g % 20 < 17 THEN 'book' WHEN g % 20 = 17 THEN 'ebook' WHEN g % 20 = 18 THEN 'audiobook' ELSE 'dvd' END,
               (ARRAY['Het huis','De reis','Een zomer','Water','De nacht','Het geheim','Liefde','De tuin','Oorlog','Het eiland'])[1 + g % 10]
                 || ' ' || (ARRAY['aan zee','in de stad','van de koning','zonder einde','voor altijd','in de winter','van mijn vader','bij de rivier'])[1 + (g / 10) % 8]
                 || ' ' || (g / 80)::text,
               (ARRAY['Anna de Vries','Jan Jansen','Fleur Bakker','Pieter Visser','Noor Smit','Daan Mulder','Emma de Boer'])[1 + g % 7],
               'dut', (1900 + g % 125)::smallint, ARRAY['roman'], ARRAY['familie'],
               (ARRAY['adults','adults','young_adults','children'])[1 + g % 4], (g % 1000)::int
        FROM generate_series($1::bigint, $2::bigint) g`, [from, to]);
      await client.query('COMMIT');
    }
    options.progress?.(`  ${options.titles.toLocaleString('en')} titles (works, search documents) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    started = performance.now();
    await client.query(`SET maintenance_work_mem = '512MB'`);
    await client.query(gin);
    options.progress?.(`  search index rebuilt in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    started = performance.now();
    // The item triggers (holdings, migration 0104) and the foreign-key checks are skipped where
    // allowed; the holdings are then written for all copies at once. A copy goes on a physical
    // title only (see the layout above).
    const replica = await tryReplicaRole(client);
    const ids = branches.map((b) => b.id);
    for (let from = 0; from < options.items; from += batch) {
      const to = Math.min(from + batch, options.items) - 1;
      await client.query(`
        INSERT INTO item (library_id, id, title_id, branch_id, barcode, shelf, status)
        SELECT $1::uuid, ${uuidSql(5, 'g')}, ${uuidSql(4, physicalTitleSql('g', options.titles))}, ($4::uuid[])[1 + g % $5::int],
               b.body::text || ${luhnSql('b.body', 12)}, 'R BENCH', 'available'
        FROM generate_series($2::bigint, $3::bigint) g, LATERAL (SELECT 800000000000 + g AS body) b`,
        [lib.id, from, to, ids, ids.length]);
    }
    options.progress?.(`  ${options.items.toLocaleString('en')} copies at ${branches.length} branches of ${options.librarySlug} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if (replica) await client.query(`SET session_replication_role = origin`);
    const last = options.items - 1;
    const stored = await client.query<{ barcode: string }>(`SELECT barcode FROM item WHERE library_id = $1 AND id = $2`, [lib.id, benchUuid(5, last)]);
    if (stored.rows[0]?.barcode !== itemBarcode(last)) throw new Error(`generated barcode ${stored.rows[0]?.barcode} is not ${itemBarcode(last)}`);
    return { titles: options.titles, items: options.items, libraryId: lib.id, branches };
  } finally {
    await client.end();
  }
}

/** Statistics for the planner after a bulk load. */
export async function analyze(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}

/**
 * Open loans as a library has them on any day: the last `count` copies are on loan, each to a
 * different member of the library (members in a scattered order), checked out over the last 20 days.
 * Loans are written like the loan trigger would: item status on_loan and the members' counters in
 * `lending_member` (set from the rows, in one statement, when the trigger is skipped for speed).
 */
export async function generateOpenLoans(url: string, members: MemberLayout, catalogue: CatalogueLayout, count: number): Promise<void> {
  if (count <= 0) return;
  const main = members.libraries[0]!;
  if (count > main.count || count > catalogue.items) throw new Error('more open loans than members or copies');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`SELECT set_config('app.library_id', $1, false)`, [catalogue.libraryId]);
    const replica = await tryReplicaRole(client);
    const first = catalogue.items - count;
    let stride = Math.floor(main.count * 0.381966) | 1;
    while (gcdOf(stride, main.count) !== 1) stride += 2;
    await client.query('BEGIN');
    await client.query(`
      INSERT INTO loan (library_id, id, account_id, kind, title_id, item_id, branch_id, channel, checked_out_at, due_at)
      SELECT $1::uuid, ${uuidSql(8, 'g')}, ${uuidSql(1, `$3::bigint + (g * $4::bigint) % $5::bigint`)}, 'physical',
             ${uuidSql(4, `g % ${catalogue.titles}`)}, ${uuidSql(5, 'g')}, ($6::uuid[])[1 + g % $7::int], 'desk',
             now() - (g % 20) * interval '1 day', now() + (21 - g % 20) * interval '1 day'
      FROM generate_series($2::bigint, $8::bigint) g`,
      [catalogue.libraryId, first, main.firstMember, stride, main.count, catalogue.branches.map((b) => b.id), catalogue.branches.length, catalogue.items - 1]);
    await client.query(`UPDATE item SET status = 'on_loan' WHERE library_id = $1 AND id >= $2::uuid AND id <= $3::uuid`,
      [catalogue.libraryId, benchUuid(5, first), benchUuid(5, catalogue.items - 1)]);
    if (replica) {
      await client.query(`
        INSERT INTO lending_member AS m (library_id, account_id, physical_loans)
        SELECT library_id, account_id, count(*) FROM loan WHERE library_id = $1 AND status = 'open' AND kind = 'physical' GROUP BY library_id, account_id
        ON CONFLICT (library_id, account_id) DO UPDATE SET physical_loans = excluded.physical_loans`, [catalogue.libraryId]);
      await client.query(`SET session_replication_role = origin`);
    }
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

function gcdOf(a: number, b: number): number { return b === 0 ? a : gcdOf(b, a % b); }
