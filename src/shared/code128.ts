// Code 128 barcodes as SVG, for the library card in "Mijn bibliotheek" (scannable from a phone
// screen at the desk or kiosk). Digit strings of even length use code set C (two digits per
// symbol); anything else code set B.

// Bar/space widths of symbols 0–106 (ISO/IEC 15417); 106 is the stop pattern (with final bar).
const PATTERNS = [
  '212222', '222122', '222221', '121223', '121322', '131222', '122213', '122312', '132212', '221213',
  '221312', '231212', '112232', '122132', '122231', '113222', '123122', '123221', '223211', '221132',
  '221231', '213212', '223112', '312131', '311222', '321122', '321221', '312212', '322112', '322211',
  '212123', '212321', '232121', '111323', '131123', '131321', '112313', '132113', '132311', '211313',
  '231113', '231311', '112133', '112331', '132131', '113123', '113321', '133121', '313121', '211331',
  '231131', '213113', '213311', '213131', '311123', '311321', '331121', '312113', '312311', '332111',
  '314111', '221411', '431111', '111224', '111422', '121124', '121421', '141122', '141221', '112214',
  '112412', '122114', '122411', '142112', '142211', '241211', '221114', '413111', '241112', '134111',
  '111242', '121142', '121241', '114212', '124112', '124211', '411212', '421112', '421211', '212141',
  '214121', '412121', '111143', '111341', '131141', '114113', '114311', '411113', '411311', '113141',
  '114131', '311141', '411131', '211412', '211214', '211232', '2331112',
];
const START_B = 104;
const START_C = 105;
const STOP = 106;

export function code128Symbols(text: string): number[] {
  let values: number[];
  let start: number;
  if (/^(\d\d)+$/.test(text)) {
    start = START_C;
    values = text.match(/\d\d/g)!.map(Number);
  } else {
    start = START_B;
    values = [...text].map((ch) => {
      const code = ch.charCodeAt(0);
      if (code < 32 || code > 127) throw new Error('Code 128 B encodes printable ASCII only');
      return code - 32;
    });
  }
  const checksum = values.reduce((sum, v, i) => sum + v * (i + 1), start) % 103;
  return [start, ...values, checksum, STOP];
}

/** Module widths of the whole barcode, alternating bar and space, starting with a bar. */
export function code128Widths(text: string): number[] {
  return code128Symbols(text).flatMap((s) => [...PATTERNS[s]!].map(Number));
}

export function code128Svg(text: string, options: { height?: number; module?: number; title: string }): string {
  const module = options.module ?? 2;
  const height = options.height ?? 60;
  const quiet = 10 * module;
  const widths = code128Widths(text);
  let x = quiet;
  const bars: string[] = [];
  widths.forEach((w, i) => {
    if (i % 2 === 0) bars.push(`<rect x="${x}" y="0" width="${w * module}" height="${height}"/>`);
    x += w * module;
  });
  const total = x + quiet;
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${total} ${height}" width="${total}" height="${height}" role="img" aria-labelledby="barcode-title">`
    + `<title id="barcode-title">${esc(options.title)}</title><rect width="${total}" height="${height}" fill="#ffffff"/><g fill="#000000">${bars.join('')}</g></svg>`;
}
