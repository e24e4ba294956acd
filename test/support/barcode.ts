// Unique valid barcodes for test items (prefix 9, never used by the demo seed).
import { makeBarcode } from '../../src/modules/catalogue/identifiers.ts';

let serial = Math.floor(Math.random() * 1e6);
export function makeBarcodeForTest(): string {
  serial++;
  return makeBarcode(`9${String(serial).padStart(9, '0')}`);
}
