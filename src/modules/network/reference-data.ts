// Loads the bundled CBS reference data (db/reference/nl, CC BY 4.0, "Bron: CBS"): the 342
// municipalities of 1 January 2023 and the 4,074 PC4 areas, whose 2021 municipality names are
// mapped onto 2023 codes through the merger table (Haaren's split is mapped per PC4).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsv } from '../../shared/csv.ts';

export const referenceFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../db/reference/nl');

export interface MunicipalityRow {
  code: string;
  name: string;
  provinceCode: string;
  provinceName: string;
  inhabitants: number | null;
}

export interface PostcodeRow {
  pc4: string;
  municipalityCode: string | null;
  place: string | null;
  inhabitants: number | null;
  sourceMunicipalityName: string | null;
}

export interface ReferenceData {
  municipalities: MunicipalityRow[];
  postcodes: PostcodeRow[];
}

function read(file: string): Record<string, string>[] {
  return parseCsv(fs.readFileSync(path.join(referenceFolder, file), 'utf8'));
}

export function loadReferenceData(): ReferenceData {
  const gemeenten = read('cbs-gemeenten-alfabetisch-2023.csv');
  const byName = new Map(gemeenten.map((g) => [g.Gemeentenaam!, g.GemeentecodeGM!]));
  const changes = read('municipality-changes-2021-2023.csv');
  const mergedByName = new Map(changes.filter((c) => !c.pc4).map((c) => [c.old_name!, c.new_code!]));
  const splitByPc4 = new Map(changes.filter((c) => c.pc4).map((c) => [c.pc4!, c.new_code!]));

  const postcodes: PostcodeRow[] = read('certegis-pc4-2021.csv').map((r) => {
    const name = r.gemeente || null;
    let code: string | null = null;
    if (name) {
      code = splitByPc4.get(r.postcode!) ?? mergedByName.get(name) ?? byName.get(name) ?? null;
      if (!code) throw new Error(`PC4 ${r.postcode}: municipality "${name}" has no 2023 code`);
    }
    return {
      pc4: r.postcode!,
      municipalityCode: code,
      place: r.plaats || null,
      inhabitants: r.inwoners ? Number(r.inwoners) : null,
      sourceMunicipalityName: name,
    };
  });

  const inhabitants = new Map<string, number>();
  for (const p of postcodes) {
    if (p.municipalityCode && p.inhabitants) {
      inhabitants.set(p.municipalityCode, (inhabitants.get(p.municipalityCode) ?? 0) + p.inhabitants);
    }
  }
  const municipalities: MunicipalityRow[] = gemeenten.map((g) => ({
    code: g.GemeentecodeGM!,
    name: g.Gemeentenaam!,
    provinceCode: g.ProvinciecodePV!,
    provinceName: g.Provincienaam!,
    inhabitants: inhabitants.get(g.GemeentecodeGM!) ?? null,
  }));
  return { municipalities, postcodes };
}
