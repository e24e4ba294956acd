// A national-scale catalogue for the catalogue benchmark, generated inside PostgreSQL with
// generate_series (set-based INSERT … SELECT, no row-by-row round trips): by default 1,000,000
// national titles (700,000 works; 300,000 of them also as e-book, audiobook or large print),
// 3,000,000 physical copies across 1,000 branches of the demo network's libraries, and 100,000
// contributors.
//
// The words are Dutch-like: 60 real Dutch content words at the top ranks, then synthetic words
// built from Dutch syllables (onset + vowel + coda), short words more frequent (as in real
// language). Each word position draws its rank from a Zipf distribution (s = 1: rank =
// floor(N^u) for uniform u gives P(rank) ∝ 1/rank), so the most common words occur in a large
// share of the titles and most words are rare, as in a real catalogue.
//
// Everything search relies on is produced by the real code paths: rows go into `title` through the
// table's own trigger (search_vector, sort_title), contributors through `contributor` and
// `title_contributor`, copies into `item` per library with the tenant set (row-level security and
// the copy policies apply when the connecting user is not a superuser), the vocabulary through
// eenbieb_refresh_vocabulary(), and every key and index is the migration's own definition: the
// keys, foreign keys and secondary indexes of work, title, title_contributor and item are dropped
// before the load and re-created from their catalogue definitions afterwards (building a GIN index
// once is far faster than growing it per row). Then VACUUM ANALYZE. Nothing is cached between runs.
import { performance } from 'node:perf_hooks';
import pg from 'pg';

export interface CatalogueSize {
  titles: number;
  items: number;
  branches: number;
  contributors: number;
}

export const NATIONAL: CatalogueSize = { titles: 1_000_000, items: 3_000_000, branches: 1_000, contributors: 100_000 };

const REAL_WORDS = [
  'huis', 'boek', 'water', 'liefde', 'oorlog', 'nacht', 'leven', 'wereld', 'tijd', 'dag', 'stad', 'land', 'zee', 'vader',
  'moeder', 'kind', 'meisje', 'jongen', 'geheim', 'reis', 'droom', 'winter', 'zomer', 'licht', 'donker', 'hart', 'weg', 'tuin',
  'bos', 'school', 'vriend', 'familie', 'geschiedenis', 'verhaal', 'dood', 'koning', 'prinses', 'dieren', 'hond', 'kat',
  'paard', 'vogel', 'berg', 'rivier', 'eiland', 'kasteel', 'schat', 'vuur', 'sterren', 'maan', 'zon', 'brief', 'spel',
  'muziek', 'kunst', 'wind', 'regen', 'sneeuw', 'feest', 'avontuur',
];
const ONSETS = ['b', 'd', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'z', 'st', 'sch', 'br', 'dr', 'gr', 'kl', 'kr', 'pr',
  'sl', 'sp', 'tr', 'vl', 'zw', 'j', 'h', 'f', 'bl', 'fr', 'gl'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'aa', 'ee', 'oo', 'ie', 'oe', 'ui', 'ij', 'ei', 'eu', 'ou'];
const CODAS = ['', 'n', 'r', 'l', 'k', 't', 's', 'm', 'ng', 'rd', 'nd', 'st', 'cht', 'ft', 'rk', 'ld'];
const GIVEN = ['Anna', 'Jan', 'Marieke', 'Pieter', 'Sanne', 'Kees', 'Fleur', 'Willem', 'Lotte', 'Daan', 'Emma', 'Bram', 'Julia',
  'Thijs', 'Sophie', 'Ruud', 'Ilse', 'Joost', 'Noor', 'Maarten', 'Eva', 'Hans', 'Lieke', 'Gerrit', 'Femke', 'Tom', 'Anouk',
  'Sander', 'Iris', 'Koen', 'Roos', 'Bas', 'Esther', 'Wouter', 'Marloes', 'Henk', 'Tessa', 'Niels', 'Mirjam', 'Arjen', 'Yara',
  'Mohamed', 'Fatima', 'Ahmed', 'Ayşe', 'Mehmet', 'Chantal', 'René', 'Zoë', 'Jeroen'];
const PARTICLES = ['', '', '', 'van ', 'de ', 'van der ', 'van den ', 'ter ', 'van de ', 'den '];
const SUBJECTS = ['geschiedenis', 'oorlog', 'liefde', 'familie', 'detective', 'natuur', 'dieren', 'sport', 'koken', 'reizen', 'kunst',
  'muziek', 'politiek', 'religie', 'filosofie', 'psychologie', 'gezondheid', 'techniek', 'computers', 'economie', 'recht', 'taal',
  'humor', 'fantasy', 'sciencefiction', 'biografie', 'vriendschap', 'school', 'paarden', 'voetbal', 'tuinieren', 'wonen',
  'opvoeding', 'geld', 'Nederland', 'Amsterdam', 'Tweede Wereldoorlog', 'zee', 'sprookjes', 'dinosaurussen', 'ruimtevaart',
  'heksen', 'piraten', 'klimaat', 'migratie', 'Friesland', 'Indonesië', 'slavernij', 'architectuur', 'fotografie'];
const GENRES = ['roman', 'thriller', 'detective', 'poëzie', 'jeugdroman', 'prentenboek', 'informatief', 'strip', 'toneel', 'verhalen'];

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const arr = (values: readonly string[]) => `array[${values.map(lit).join(',')}]::text[]`;
/** A non-negative hash of integer expressions: deterministic "randomness" per row. */
const h = (expr: string) => `(hashint8((${expr})::bigint)::bigint & 2147483647)`;

/**
 * The Luhn check digit of a 12-digit payload n (as in identifiers.ts: the rightmost payload digit
 * is doubled), unrolled into plain integer arithmetic so 3 million barcodes cost a few seconds.
 */
function luhnSql(n: string): string {
  const terms: string[] = [];
  for (let j = 0; j < 12; j++) {
    const d = `((${n} / ${10n ** BigInt(j)}) % 10)`;
    terms.push(j % 2 === 0 ? `(2 * ${d} - 9 * (${d} >= 5)::int)` : d);
  }
  return `((10 - ((${terms.join(' + ')}) % 10)) % 10)`;
}

export interface GenerationReport {
  steps: { step: string; seconds: number }[];
  titles: number;
  items: number;
  branches: number;
  vocabulary: number;
}

export async function generateNationalCatalogue(url: string, size: CatalogueSize = NATIONAL, log: (line: string) => void = () => {}): Promise<GenerationReport> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const steps: GenerationReport['steps'] = [];
  const step = async (name: string, ...statements: string[]) => {
    const t0 = performance.now();
    for (const s of statements) await client.query(s);
    const seconds = (performance.now() - t0) / 1000;
    steps.push({ step: name, seconds });
    log(`  ${name}: ${seconds.toFixed(1)} s`);
  };
  try {
    await client.query(`set maintenance_work_mem = '1GB'; set work_mem = '256MB'; set synchronous_commit = off; select setseed(0.4242)`);
    const baseWorks = Math.round(size.titles * 0.7);
    const extraFormats = size.titles - baseWorks;

    await step('vocabulary (Dutch-like words)', `
      create unlogged table bench_vocab (rank int primary key, word text not null unique)`, `
      insert into bench_vocab (rank, word)
      select row_number() over (order by k), word from (
        select distinct on (word) k, word from (
          select k, w as word from unnest(${arr(REAL_WORDS)}) with ordinality as r(w, k)
          union all
          select 1000 + k, (select string_agg(
                   (${arr(ONSETS)})[1 + ${h('k * 8 + j')} % ${ONSETS.length}]
                || (${arr(VOWELS)})[1 + ${h('k * 8 + j + 100000000')} % ${VOWELS.length}]
                || (${arr(CODAS)})[1 + ${h('k * 8 + j + 200000000')} % ${CODAS.length}], '' order by j)
              from generate_series(1, case when k <= 400 then 1 when k <= 12000 then 2 else 3 end) j)
          from generate_series(1, 90000) k
        ) c
        -- no Dutch stop words and no very short words: they never reach the index
        where length(word) between 3 and 16 and to_tsvector('dutch', word) <> ''::tsvector
        order by word, k
      ) d`);
    const vocabSize = (await client.query<{ n: number }>('select count(*)::int as n from bench_vocab')).rows[0]!.n;
    const zipf = `floor(power(${vocabSize}, random()))::int`;

    await step('branches', `
      insert into branch (library_id, slug, name, street, house_number, postcode, city, municipality_code)
      select l.library_id, 'bench-' || g, 'Vestiging ' || b.city || ' ' || g, 'Bibliotheekstraat', g::text, b.postcode, b.city, b.municipality_code
      from generate_series(1, greatest(0, ${size.branches} - (select count(*) from branch))) g
      join (select library_id, row_number() over (order by library_id) - 1 as n from (select distinct library_id from branch) x) l
        on l.n = g % (select count(distinct library_id) from branch)
      cross join lateral (select postcode, city, municipality_code from branch b where b.library_id = l.library_id order by slug limit 1) b`);

    await step('contributors', `
      insert into contributor (name, sort_name)
      select name, sort_name from (
        select k, given || ' ' || particle || initcap(v.word) as name,
               initcap(v.word) || ', ' || given || case when particle = '' then '' else ' ' || trim(particle) end as sort_name
        from generate_series(0, ${size.contributors - 1}) k
        cross join lateral (select (${arr(GIVEN)})[1 + k % ${GIVEN.length}] as given,
                                   (${arr(PARTICLES)})[1 + ${h('k')} % ${PARTICLES.length}] as particle) p
        join bench_vocab v on v.rank = 61 + k / ${GIVEN.length}
      ) c on conflict (name) do nothing`, `
      create unlogged table bench_contributor as select row_number() over (order by md5(name))::int as n, id, name from contributor`, `
      create unique index on bench_contributor (n)`);

    // Title words (1–4) and description words (6–20) of each work, drawn by Zipf rank.
    await step('title and description text', `
      create unlogged table bench_text as
      select i,
             string_agg(v.word, ' ' order by pos) filter (where pos < 100) as title,
             string_agg(v.word, ' ' order by pos) filter (where pos >= 100) as description
      from (
        select i, pos, ${zipf} as rank from generate_series(1, ${baseWorks}) i, generate_series(1, 1 + ${h('i')} % 4) pos
        union all
        select i, 100 + pos, ${zipf} from generate_series(1, ${baseWorks}) i, generate_series(1, 6 + ${h('i + 7')} % 15) pos
      ) tok join bench_vocab v using (rank)
      group by i`);

    // The secondary indexes, keys and foreign keys of the loaded tables, exactly as the migrations
    // define them, are dropped for the load and re-created from their catalogue definitions
    // afterwards: one sorted index build and one set-based foreign-key check per constraint are far
    // faster than maintaining them row by row. The schema afterwards is the migrations' own.
    const loaded = `('work'::regclass, 'title'::regclass, 'title_contributor'::regclass, 'item'::regclass)`;
    const { rows: constraints } = await client.query<{ tbl: string; name: string; def: string; type: string }>(`
      select conrelid::regclass::text as tbl, conname as name, pg_get_constraintdef(oid) as def, contype as type
      from pg_constraint
      where contype in ('p', 'u', 'f') and (conrelid in ${loaded} or (contype = 'f' and confrelid in ${loaded}))
        -- title's primary key stays: the copy policies look titles up by id while copies load
        and not (conrelid = 'title'::regclass and contype = 'p')
      order by contype = 'f' desc, conname`);
    const { rows: indexes } = await client.query<{ name: string; def: string }>(`
      select indexname as name, indexdef as def from pg_indexes
      where schemaname = current_schema() and tablename in ('work', 'title', 'title_contributor', 'item')
        and indexname not in (select conname from pg_constraint)`);
    await step('drop keys and indexes for the load',
      ...constraints.map((c) => `alter table ${c.tbl} drop constraint ${c.name}`),
      ...indexes.map((i) => `drop index ${i.name}`));

    await step('works', `
      create unlogged table bench_work as select i, gen_random_uuid() as id from generate_series(1, ${baseWorks}) i`, `
      insert into work (id) select id from bench_work`);

    await step('titles (through the search trigger)', `
      insert into title (work_id, source, source_id, format, title, subtitle, contributor_names, language, year, year_display,
                         publisher, series, series_number, genres, subjects, audience, avi_level, description, open_access_url, popularity)
      select w.id, 'bench', t.i::text, f.format,
             case when ${h('b * 3')} % 4 = 0 then (array['De ', 'Het ', 'Een '])[1 + ${h('b')} % 3] || x.title else initcap(left(x.title, 1)) || substr(x.title, 2) end,
             null, c.name, lang.code, yr.year, yr.year::text,
             (array['Querido', 'De Bezige Bij', 'Prometheus', 'Atlas Contact', 'Lemniscaat', 'Van Holkema & Warendorf', 'Nijgh & Van Ditmar'])[1 + ${h('b + 11')} % 7],
             case when ${h('b + 5')} % 10 = 0 then initcap(split_part(x.description, ' ', 1)) end,
             case when ${h('b + 5')} % 10 = 0 then (1 + ${h('b')} % 12)::text end,
             array[(${arr(GENRES)})[1 + ${h('b + 13')} % ${GENRES.length}]],
             array(select distinct (${arr(SUBJECTS)})[floor(power(${SUBJECTS.length + 1}, random()))::int] from generate_series(1, 1 + ${h('b + 17')} % 3)),
             aud.audience,
             case when aud.audience = 'children' and ${h('b + 19')} % 5 < 3 then (array['Start', 'M3', 'E3', 'M4', 'E4', 'M5', 'E5', 'M6', 'E6', 'M7', 'E7', 'Plus'])[1 + ${h('b + 23')} % 12] end,
             x.description,
             case when f.format = 'ebook' and ${h('t.i + 29')} % 10 < 3 then 'https://bench.example/open/' || t.i end,
             -- the same Zipf shape for the stored popularity: most titles are rarely borrowed
             floor(power(5000, random()))::int - 1
      from (select i, case when i <= ${baseWorks} then i else 1 + (i - ${baseWorks} - 1) % ${baseWorks} end as b from generate_series(1, ${size.titles}) i) t
      join bench_text x on x.i = t.b
      join bench_work w on w.i = t.b
      -- prolific authors: contributor rank floor(N·u²), so the busiest has a few thousand titles
      join bench_contributor c on c.n = 1 + floor(${size.contributors} * power((${h('t.b + 31')} % 1000000) / 1000000.0, 2))::int
      cross join lateral (select case
          when t.i > ${baseWorks} then (array['ebook', 'ebook', 'ebook', 'ebook', 'ebook', 'ebook', 'audiobook', 'audiobook', 'audiobook', 'large_print'])[1 + ${h('t.i')} % 10]
          else (array['book', 'book', 'book', 'book', 'book', 'book', 'book', 'book', 'book', 'book', 'book', 'book', 'book', 'book', 'book',
                      'dvd', 'magazine', 'audio_cd', 'game', 'sheet_music'])[1 + ${h('t.i')} % 20] end as format) f
      cross join lateral (select (array['dut', 'dut', 'dut', 'dut', 'dut', 'dut', 'dut', 'dut', 'dut', 'dut', 'dut', 'dut', 'dut', 'dut', 'dut', 'dut',
                                        'eng', 'eng', 'eng', 'ger', 'fre', 'fry', 'tur', 'ara'])[1 + ${h('t.b + 37')} % 24] as code) lang
      cross join lateral (select 2026 - floor(power(150, (${h('t.b + 41')} % 100000) / 100000.0))::int + 1 as year) yr
      cross join lateral (select (array['adults', 'adults', 'adults', 'adults', 'adults', 'adults', 'adults', 'adults', 'adults', 'adults', 'adults', 'adults',
                                        'children', 'children', 'children', 'children', 'children', 'young_adults', 'young_adults', 'toddlers'])[1 + ${h('t.b + 43')} % 20] as audience) aud`,
      `create unlogged table bench_title as
       select row_number() over (order by t.popularity desc, t.id)::int as n, t.id, t.format not in ('ebook', 'audiobook') as physical,
              c.id as contributor_id
       from title t join bench_contributor c on c.name = t.contributor_names where t.source = 'bench'`);

    await step('title contributors', `
      insert into title_contributor (title_id, position, contributor_id, role)
      select id, 0, contributor_id, 'aut' from bench_title`);

    // Copies: physical titles ordered by popularity; a copy picks rank floor(P·u²), so popular
    // titles have thousands of copies across the country and the long tail one or two.
    await step('items (library by library, tenant set)', `
      create unlogged table bench_physical as select row_number() over (order by n)::int as r, id from bench_title where physical`, `
      create unique index on bench_physical (r)`, `
      create unlogged table bench_branch as select row_number() over (order by library_id, slug)::int as n, library_id, id from branch`, `
      create unlogged table bench_item as
      select b.library_id, p.id as title_id, b.id as branch_id,
             ('2' || lpad(k::text, 11, '0') || ${luhnSql('(2 * 100000000000::bigint + k)')}::text) as barcode,
             (array['R', 'Jeugd', 'Informatief', 'Strip', 'Groot letter'])[1 + k % 5] || ' ' || lpad((k % 1000)::text, 3, '0') as shelf,
             (array['available', 'available', 'available', 'available', 'available', 'available', 'available', 'available', 'available',
                    'available', 'available', 'available', 'available', 'available', 'available', 'available', 'on_loan', 'on_loan', 'on_loan',
                    'on_loan', 'on_loan', 'in_transit', 'on_hold_shelf', 'missing', 'withdrawn'])[1 + ${h('k + 47')} % 25] as status
      -- the random rank is drawn in a subquery, once per copy, and then joined by equality
      from (select k, 1 + floor((select count(*) from bench_physical) * power(random(), 2))::int as r
            from generate_series(1, ${size.items}) k offset 0) g
      join bench_physical p on p.r = g.r
      join bench_branch b on b.n = 1 + ${h('k + 53')} % (select count(*) from bench_branch)`);
    const { rows: libraries } = await client.query<{ id: string }>('select distinct library_id as id from bench_item order by 1');
    // the holdings (migration 0104) are written once for all copies below, not per library's statement
    // (a kept database must not be left with the trigger off, should the load fail)
    await client.query('alter table item disable trigger item_holdings_inserted');
    const t0 = performance.now();
    try {
      for (const lib of libraries) {
        await client.query('begin');
        await client.query(`select set_config('app.library_id', $1, true)`, [lib.id]);
        await client.query(`insert into item (library_id, title_id, branch_id, barcode, shelf, status)
          select library_id, title_id, branch_id, barcode, shelf, status from bench_item where library_id = $1`, [lib.id]);
        await client.query('commit');
      }
    } catch (e) {
      await client.query('rollback').catch(() => {});
      throw e;
    } finally {
      await client.query('alter table item enable trigger item_holdings_inserted');
    }
    steps.push({ step: 'items insert', seconds: (performance.now() - t0) / 1000 });
    log(`  items insert: ${steps.at(-1)!.seconds.toFixed(1)} s`);

    // before the indexes are built: the refresh rewrites the tier lexeme of a fifth of the titles
    await step('popularity tiers (eenbieb_refresh_popularity_tiers)', 'select eenbieb_refresh_popularity_tiers()');
    // the branches holding each title (migration 0104), set-based from the copies just loaded (what
    // the item triggers keep one change at a time); the rewrite leaves a dead version of every held
    // title, compacted before the indexes are built, as a catalogue loaded once and vacuumed over
    // the years would be
    await step('holdings (title.holdings from the copies)', `update title t set holdings = h.branches
        from (select title_id, array_agg(distinct branch_id order by branch_id) as branches from bench_item
              where status not in ('missing', 'withdrawn') group by title_id) h
        where h.title_id = t.id`, 'vacuum full title');
    await step('keys, indexes and foreign keys (migration definitions)',
      ...constraints.filter((c) => c.type !== 'f').map((c) => `alter table ${c.tbl} add constraint ${c.name} ${c.def}`),
      ...indexes.map((i) => i.def),
      ...constraints.filter((c) => c.type === 'f').map((c) => `alter table ${c.tbl} add constraint ${c.name} ${c.def}`));
    await step('search vocabulary (eenbieb_refresh_vocabulary)', 'select eenbieb_refresh_vocabulary()');
    await step('analyze', 'drop table bench_vocab, bench_text, bench_work, bench_contributor, bench_title, bench_physical, bench_branch, bench_item',
      'vacuum analyze title', 'vacuum analyze item', 'analyze');
    const { rows: [counts] } = await client.query<{ titles: number; items: number; branches: number; vocabulary: number }>(`
      select (select count(*) from title)::int as titles, (select count(*) from item)::int as items,
             (select count(*) from branch)::int as branches, (select count(*) from search_vocabulary)::int as vocabulary`);
    return { steps, ...counts! };
  } finally {
    await client.end();
  }
}
