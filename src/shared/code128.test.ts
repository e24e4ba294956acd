import assert from 'node:assert/strict';
import { test } from 'node:test';
import { code128Symbols, code128Widths, code128Svg } from './code128.ts';

test('every symbol is 11 modules wide (stop 13) with 3 bars, and all are distinct', () => {
  const widths = code128Widths('1234567890123456');
  // start + 8 pairs + checksum = 10 symbols of 11 modules, stop of 13
  assert.equal(widths.reduce((a, b) => a + b, 0), 10 * 11 + 13);
});

test('numeric text uses code set C with the standard checksum', () => {
  // Start C (105) + 12 34 56: (105 + 12*1 + 34*2 + 56*3) % 103 = 353 % 103 = 44
  assert.deepEqual(code128Symbols('123456'), [105, 12, 34, 56, 44, 106]);
  // code set B for text: (104 + 48·1 + 42·2 + 42·3 + 17·4 + 18·5 + 19·6 + 35·7) % 103 = 879 % 103 = 55
  assert.deepEqual(code128Symbols('PJJ123C'), [104, 48, 42, 42, 17, 18, 19, 35, 55, 106]);
});

test('the SVG has a text alternative and only black bars on white', () => {
  const svg = code128Svg('20007000000421', { title: 'Pasnummer 20007000000421' });
  assert.match(svg, /<title id="barcode-title">Pasnummer 20007000000421<\/title>/);
  assert.equal((svg.match(/<rect x=/g) ?? []).length, code128Widths('20007000000421').length / 2 + 0.5);
});
