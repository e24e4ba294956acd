// MARC 21 → title: the fields the catalogue keeps, formats from leader/007/008/338, relators,
// identifiers and holdings.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mapMarcRecord, MarcMapError } from './marc-map.ts';
import type { MarcField, MarcRecord } from './marcxml.ts';

const df = (tag: string, ind1: string, ind2: string, ...subfields: [string, string][]): MarcField => ({ tag, ind1, ind2, subfields });
const rec = (leader: string, ...fields: MarcField[]): MarcRecord => ({ leader, fields });
const F008 = (over: Record<number, string> = {}) => {
  const c = [...'200101s2019    ne            000 1 dut d'];
  for (const [k, v] of Object.entries(over)) c[Number(k)] = v;
  return { tag: '008', value: c.join('') };
};
const BOOK = '00000nam a2200000 i 4500';

describe('mapping a MARC record to a title', () => {
  test('title, contributors with relators, identifiers, language, year, publisher, series, subjects, description', () => {
    const warnings: string[] = [];
    const t = mapMarcRecord(rec(BOOK,
      { tag: '001', value: '12345678X' }, { tag: '003', value: 'NL-LeOCL' }, F008(),
      df('020', ' ', ' ', ['a', '0-306-40615-2 (pbk.)']), df('020', ' ', ' ', ['a', '9789021459068']),
      df('100', '1', ' ', ['a', 'Vestdijk, Simon,'], ['d', '1898-1971'], ['e', 'auteur.']),
      df('245', '1', '4', ['a', 'Het vijfde zegel :'], ['b', 'roman uit de tijd van El Greco /'], ['c', 'Simon Vestdijk.']),
      df('250', ' ', ' ', ['a', '3e dr.']),
      df('264', ' ', '1', ['a', 'Amsterdam :'], ['b', 'Nijgh & Van Ditmar,'], ['c', '[2019]']),
      df('490', '1', ' ', ['a', 'Grote ABC ;'], ['v', 'nr. 12']),
      df('520', ' ', ' ', ['a', 'Roman over de schilder El Greco.']),
      df('650', ' ', '7', ['a', 'Schilders'], ['z', 'Spanje'], ['y', '16e eeuw.']),
      df('655', ' ', '7', ['a', 'Historische romans.']),
      df('700', '1', ' ', ['a', 'Ruyslinck, Ward,'], ['4', 'http://id.loc.gov/vocabulary/relators/aui']),
      df('700', '1', ' ', ['a', 'Kuipers, Reinold'], ['e', 'illustrator']),
      df('700', '1', ' ', ['a', 'Greco, El,'], ['t', 'Works.']),
    ), warnings);
    assert.equal(t.title, 'Het vijfde zegel');
    assert.equal(t.subtitle, 'roman uit de tijd van El Greco');
    assert.deepEqual(t.contributors, [
      { name: 'Simon Vestdijk', sortName: 'Vestdijk, Simon', role: 'aut' },
      { name: 'Ward Ruyslinck', sortName: 'Ruyslinck, Ward', role: 'aui' },
      { name: 'Reinold Kuipers', sortName: 'Kuipers, Reinold', role: 'ill' },
    ]);
    assert.equal(t.sourceId, 'NL-LeOCL:12345678X');
    assert.equal(t.ppn, null, '12345678X has a wrong check character');
    assert.equal(t.isbn, '9780306406157');
    assert.deepEqual(warnings, ['ISBN "9789021459068" in 020 $a is not valid (wrong check digit): left out']);
    assert.equal(t.language, 'dut');
    assert.equal(t.year, 2019);
    assert.equal(t.yearDisplay, '2019');
    assert.equal(t.publisher, 'Nijgh & Van Ditmar');
    assert.equal(t.edition, '3e dr.', 'an abbreviation keeps its full stop');
    assert.deepEqual([t.series, t.seriesNumber], ['Grote ABC', 'nr. 12']);
    assert.deepEqual(t.subjects, ['Schilders -- Spanje -- 16e eeuw']);
    assert.deepEqual(t.genres, ['Historische romans']);
    assert.equal(t.description, 'Roman over de schilder El Greco');
    assert.equal(t.format, 'book');
  });

  test('the source id falls back from 001 to 035 to the ISBN, and a PPN is taken from 035', () => {
    const base = [df('245', '0', '0', ['a', 'Titel'])];
    assert.equal(mapMarcRecord(rec(BOOK, { tag: '001', value: ' 42 ' }, ...base)).sourceId, '42');
    const ppn = mapMarcRecord(rec(BOOK, df('035', ' ', ' ', ['a', '(NL-LeOCL)123456789']), df('035', ' ', ' ', ['a', '(OCoLC)99']), ...base));
    assert.equal(ppn.sourceId, '(NL-LeOCL)123456789');
    assert.equal(ppn.ppn, '123456789');
    assert.equal(mapMarcRecord(rec(BOOK, df('020', ' ', ' ', ['a', '0306406152']), ...base)).sourceId, 'isbn:9780306406157');
    const w: string[] = [];
    const anonymous = mapMarcRecord(rec(BOOK, ...base), w);
    assert.match(anonymous.sourceId, /^sha256:[0-9a-f]{32}$/);
    assert.equal(mapMarcRecord(rec(BOOK, ...base)).sourceId, anonymous.sourceId);
    assert.match(w[0]!, /identified by its content/);
  });

  test('formats from the leader, 007, 008 and 338', () => {
    const t = (leader: string, ...fields: MarcField[]) => mapMarcRecord(rec(leader, df('245', '0', '0', ['a', 'X']), ...fields)).format;
    assert.equal(t(BOOK), 'book');
    assert.equal(t(BOOK, F008({ 23: 'o' })), 'ebook');
    assert.equal(t(BOOK, { tag: '007', value: 'cr |n|||||||||' }), 'ebook');
    assert.equal(t(BOOK, df('338', ' ', ' ', ['a', 'online resource'], ['b', 'cr'])), 'ebook');
    assert.equal(t(BOOK, F008({ 23: 'd' })), 'large_print');
    assert.equal(t('00000nas a2200000 i 4500'), 'magazine');
    assert.equal(t('00000nim a2200000 i 4500', { tag: '007', value: 'sd fsngnnmmned' }), 'audio_cd');
    assert.equal(t('00000nim a2200000 i 4500', F008({ 23: 'o' })), 'audiobook');
    assert.equal(t('00000ngm a2200000 i 4500', { tag: '007', value: 'vd cvaizq' }), 'dvd');
    assert.equal(t('00000ngm a2200000 i 4500', { tag: '007', value: 'vd csaizq' }), 'bluray');
    assert.equal(t('00000ngm a2200000 i 4500', df('300', ' ', ' ', ['a', '1 videodisc (111 min.) : Blu-ray'])), 'bluray');
    assert.equal(t('00000ncm a2200000 i 4500'), 'sheet_music');
    assert.equal(t('00000nem a2200000 i 4500'), 'map');
    assert.equal(t('00000nmm a2200000 i 4500', F008({ 26: 'g' })), 'game');
    assert.equal(t('00000njm a2200000 i 4500'), 'other');
  });

  test('audience and AVI level', () => {
    const t = mapMarcRecord(rec(BOOK, F008({ 22: 'j' }), df('245', '0', '0', ['a', 'Dolfje Weerwolfje']), df('521', '8', ' ', ['a', 'AVI E4'])));
    assert.equal(t.audience, 'children');
    assert.equal(t.aviLevel, 'E4');
  });

  test('holdings from 852, 952 (Koha) and 949', () => {
    const t = mapMarcRecord(rec(BOOK, df('245', '0', '0', ['a', 'X']),
      df('852', ' ', ' ', ['a', 'Bibliotheek Utrecht'], ['b', 'centrale'], ['h', 'R VEST'], ['p', '30012345672']),
      df('952', ' ', ' ', ['a', 'OOST'], ['b', 'oost'], ['o', 'J AVI-E3'], ['p', '30012345680'], ['1', '1']),
      df('949', ' ', ' ', ['a', 'Informatief 839.3'], ['i', '30012345698'], ['l', 'Neude'])));
    assert.deepEqual(t.holdings, [
      { branch: 'centrale', barcode: '30012345672', shelf: 'R VEST', status: 'available' },
      { branch: 'oost', barcode: '30012345680', shelf: 'J AVI-E3', status: 'missing' },
      { branch: 'Neude', barcode: '30012345698', shelf: 'Informatief 839.3', status: 'available' },
    ]);
  });

  test('records that are not titles are refused with the reason', () => {
    assert.throws(() => mapMarcRecord(rec('00000nz  a2200000n  4500', df('100', '1', ' ', ['a', 'X']))), (e: Error) => e instanceof MarcMapError && /authority record/.test(e.message));
    assert.throws(() => mapMarcRecord(rec('00000ny  a2200000n  4500')), /holdings record/);
    assert.throws(() => mapMarcRecord(rec(BOOK, df('100', '1', ' ', ['a', 'X']))), /no title/);
    assert.throws(() => mapMarcRecord(rec('00000nam  2200000   4500', df('200', '1', ' ', ['a', 'Le titre']))), /UNIMARC/);
  });
});
