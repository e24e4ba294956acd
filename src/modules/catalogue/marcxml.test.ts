import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import type { TitleDetail } from './catalogue.service.ts';
import { marcxmlCollection, nonFilingCharacters, titleToMarc } from './marcxml.ts';

// marcjs ships no types: its MARCXML parser is the independent reader in these tests
const { Marc } = createRequire(import.meta.url)('marcjs') as { Marc: { parse(raw: string, type: string): { leader: string; fields: string[][] } } };

const detail: TitleDetail = {
  id: '1a8daf8a-d7b1-4102-8bf3-ba60196cbfa6',
  workId: '7078684b-c50c-4fe2-bcfa-011dd046fe4c',
  format: 'book',
  title: 'De Avonden',
  subtitle: 'een winterverhaal <met> "citaten" & meer',
  contributors: [{ name: 'Gerard Reve', sortName: 'Reve, Gerard', role: 'aut' }, { name: 'Sam Garrett', sortName: 'Garrett, Sam', role: 'trl' }],
  language: 'dut',
  year: 1947,
  yearDisplay: '1947',
  edition: '1ste druk',
  publisher: 'De Bezige Bij',
  series: null,
  seriesNumber: null,
  genres: ['proza'],
  subjects: ['Amsterdam'],
  audience: 'adults',
  aviLevel: null,
  isbn: '9789023417461',
  ppn: null,
  description: null,
  local: false,
  formats: [],
};

const field = (r: { fields: string[][] }, tag: string) => r.fields.filter((f) => f[0] === tag);

describe('MARCXML export', () => {
  test('a title becomes a MARC 21 record that a MARCXML reader reads back field by field', () => {
    const xml = marcxmlCollection([titleToMarc(detail, [{ branchName: 'Zuid', shelf: 'R REVE', barcode: '79927398713', status: 'available' }], 'Bibliotheek Utrecht')]);
    const r = Marc.parse(xml, 'marcxml');
    assert.equal(r.leader.slice(5, 8), 'nam');
    assert.deepEqual(field(r, '001'), [['001', detail.id]]);
    assert.equal(field(r, '008')[0]![1]!.length, 40);
    assert.equal(field(r, '008')[0]![1]!.slice(7, 11), '1947');
    assert.equal(field(r, '008')[0]![1]!.slice(35, 38), 'dut');
    assert.deepEqual(field(r, '020'), [['020', '  ', 'a', '9789023417461']]);
    assert.deepEqual(field(r, '100'), [['100', '1 ', 'a', 'Reve, Gerard', '4', 'aut']]);
    assert.deepEqual(field(r, '245'), [['245', '13', 'a', 'De Avonden', 'b', 'een winterverhaal <met> "citaten" & meer']]);
    assert.deepEqual(field(r, '700'), [['700', '1 ', 'a', 'Garrett, Sam', '4', 'trl']]);
    assert.deepEqual(field(r, '852'), [['852', '  ', 'a', 'Bibliotheek Utrecht', 'b', 'Zuid', 'h', 'R REVE', 'p', '79927398713', 'z', 'available']]);
    assert.deepEqual(field(r, '650'), [['650', ' 4', 'a', 'Amsterdam']]);
  });

  test('markup in the data is escaped and control characters XML cannot carry are dropped', () => {
    const xml = marcxmlCollection([titleToMarc({ ...detail, title: 'A <b>&amp;\u0001 C' })]);
    assert.ok(xml.includes('A &lt;b&gt;&amp;amp; C'));
    assert.ok(!xml.includes('\u0001'));
  });

  test('an e-book is typed as online and carries its open-access link in 856', () => {
    const ebook = { ...detail, format: 'ebook' as const, formats: [{ id: detail.id, openAccessUrl: 'https://example.org/a.epub' } as TitleDetail['formats'][number]] };
    const r = Marc.parse(marcxmlCollection([titleToMarc(ebook)]), 'marcxml');
    assert.equal(field(r, '007')[0]![1], 'cr');
    assert.equal(field(r, '008')[0]![1]![23], 'o');
    assert.deepEqual(field(r, '856'), [['856', '40', 'u', 'https://example.org/a.epub', 'z', 'Open access']]);
  });

  test('leading articles are skipped when filing', () => {
    assert.equal(nonFilingCharacters('De Avonden'), 3);
    assert.equal(nonFilingCharacters("Het leven"), 4);
    assert.equal(nonFilingCharacters('Dementie'), 0);
  });
});
