import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildDemoCatalogue, buildDemoItems, loadDbnl, parseYear, splitAuthors, stableUuid } from './demo-catalogue.ts';
import { sortName } from './names.ts';
import { parseBarcode } from './identifiers.ts';

describe('names and years from the DBNL list', () => {
  test('names file under the surname, with Dutch particles after the given names', () => {
    assert.equal(sortName('Simon Vestdijk'), 'Vestdijk, Simon');
    assert.equal(sortName('Hendrik van Veldeke'), 'Veldeke, Hendrik van');
    assert.equal(sortName('Joost van den Vondel'), 'Vondel, Joost van den');
    assert.equal(sortName('Multatuli'), 'Multatuli');
  });

  test('co-authors are split, "anoniem" is no author, an inverted periodical name is one name', () => {
    assert.deepEqual(splitAuthors('Frans Budé en Hans van de Waarsenburg'), ['Frans Budé', 'Hans van de Waarsenburg']);
    assert.deepEqual(splitAuthors('Jacco Cornelissen, René van Hoften en Frits Robeerst'), ['Jacco Cornelissen', 'René van Hoften', 'Frits Robeerst']);
    assert.deepEqual(splitAuthors('anoniem'), []);
    assert.deepEqual(splitAuthors('Gids, De'), ['De Gids']);
  });

  test('the first plausible year is taken; centuries and question marks give none', () => {
    assert.equal(parseYear('ca. 1750'), 1750);
    assert.equal(parseYear('1955-1956'), 1955);
    assert.equal(parseYear('19de eeuw'), null);
    assert.equal(parseYear('?'), null);
  });
});

describe('the demo catalogue', () => {
  const records = loadDbnl();
  const demo = buildDemoCatalogue(records);

  test('every DBNL record is a national title; each open EPUB/PDF edition is also an e-book', () => {
    const physical = demo.titles.filter((t) => t.format !== 'ebook');
    const ebooks = demo.titles.filter((t) => t.format === 'ebook');
    assert.equal(records.length, 5800);
    assert.equal(physical.length, 5800);
    assert.equal(ebooks.length, records.filter((r) => r.download.epub || r.download.pdf).length);
    assert.ok(ebooks.every((t) => t.openAccessUrl?.startsWith('https://www.dbnl.org/')));
  });

  test('the e-book and the book of one record belong to the same work', () => {
    const ebook = demo.titles.find((t) => t.format === 'ebook')!;
    const book = demo.titles.find((t) => t.sourceId === ebook.sourceId.replace(/:ebook$/, ''))!;
    assert.equal(book.workId, ebook.workId);
  });

  test('a periodical volume is a magazine in its series, not written by the periodical', () => {
    const t = demo.titles.find((x) => x.title === 'Onze Taal. Jaargang 1' && x.format !== 'ebook')!;
    assert.equal(t.format, 'magazine');
    assert.equal(t.series, 'Onze Taal');
    assert.equal(t.seriesNumber, '1');
    assert.equal(t.contributorNames, '');
  });

  test('ids are stable and the same build gives the same catalogue', () => {
    assert.equal(stableUuid('x'), stableUuid('x'));
    assert.match(stableUuid('x'), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual(buildDemoCatalogue(records.slice(0, 50)), buildDemoCatalogue(records.slice(0, 50)));
  });

  test('only children\'s books carry an AVI level', () => {
    assert.ok(demo.titles.some((t) => t.aviLevel));
    assert.ok(demo.titles.filter((t) => t.aviLevel).every((t) => t.audience === 'children' && t.genres.includes('jeugdliteratuur')));
  });

  test('copies have valid, unique barcodes, only for physical titles, on the given branches', () => {
    const items = buildDemoItems(demo.titles, 'utrecht', 7, ['b1', 'b2']);
    assert.ok(items.length > 100);
    assert.equal(new Set(items.map((i) => i.barcode)).size, items.length);
    assert.ok(items.every((i) => parseBarcode(i.barcode).ok));
    const ebookIds = new Set(demo.titles.filter((t) => t.format === 'ebook').map((t) => t.id));
    assert.ok(items.every((i) => !ebookIds.has(i.titleId) && ['b1', 'b2'].includes(i.branchId)));
  });
});
