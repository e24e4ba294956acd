// ISO 2709 writer: leader, directory and fields with correct byte lengths and offsets. Used by the
// tests (hand-built good and broken records) and the MARC benchmark (generated files). Values are
// text (written as UTF-8) or raw bytes (for MARC-8 records built byte by byte).
export type RawValue = string | Uint8Array;
export type RawField =
  | { tag: string; value: RawValue }
  | { tag: string; ind1: string; ind2: string; subfields: [string, RawValue][] };

const bytesOf = (v: RawValue) => (typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v));

/** One record. `leader` gives positions 5–11 and 17–23 (length and base address are computed). */
export function encodeIso2709(leader: string, fields: RawField[]): Buffer {
  const bodies = fields.map((f) => {
    const parts: Buffer[] = [];
    if ('value' in f) parts.push(bytesOf(f.value));
    else {
      parts.push(Buffer.from(f.ind1 + f.ind2, 'latin1'));
      for (const [code, value] of f.subfields) parts.push(Buffer.from([0x1f]), Buffer.from(code, 'latin1'), bytesOf(value));
    }
    parts.push(Buffer.from([0x1e]));
    return Buffer.concat(parts);
  });
  let offset = 0;
  const directory = bodies.map((b, i) => {
    const entry = `${fields[i]!.tag}${String(b.length).padStart(4, '0')}${String(offset).padStart(5, '0')}`;
    offset += b.length;
    return entry;
  }).join('');
  const base = 24 + directory.length + 1;
  const length = base + offset + 1;
  const head = `${String(length).padStart(5, '0')}${leader.padEnd(24).slice(5, 12)}${String(base).padStart(5, '0')}${leader.padEnd(24).slice(17, 24)}`;
  return Buffer.concat([Buffer.from(head + directory, 'latin1'), Buffer.from([0x1e]), ...bodies, Buffer.from([0x1d])]);
}
