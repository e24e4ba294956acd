// The demo network: ten city libraries for the largest cities and one regional library per
// province for every other municipality, so every one of the 342 municipalities is served by
// exactly one library. Branch addresses are fictitious (real PC4 areas and places, invented
// streets and letters); opening hours follow common Dutch library patterns.
import type { BrandTokens } from '../../platform/db/database.ts';
import { dutchHolidays } from '../../shared/holidays.ts';
import { brandFromHue, logoSvg } from './branding.ts';
import type { ReferenceData } from './reference-data.ts';

export interface DemoBranch {
  slug: string;
  name: string;
  street: string;
  houseNumber: string;
  postcode: string;
  city: string;
  municipalityCode: string;
  phone: string;
  email: string;
  hours: { weekday: number; opens: string; closes: string }[];
  exceptions: { date: string; opens: string | null; closes: string | null; reasonNl: string; reasonEn: string }[];
}

export interface DemoLibrary {
  id?: string;
  slug: string;
  name: string;
  shortName: string;
  kind: 'city' | 'regional';
  brand: BrandTokens;
  logoSvg: string;
  email: string;
  phone: string;
  municipalityCodes: string[];
  branches: DemoBranch[];
}

const CITIES: { code: string; name: string; slug: string }[] = [
  { code: 'GM0363', name: 'Amsterdam', slug: 'amsterdam' },
  { code: 'GM0599', name: 'Rotterdam', slug: 'rotterdam' },
  { code: 'GM0518', name: 'Den Haag', slug: 'den-haag' },
  { code: 'GM0344', name: 'Utrecht', slug: 'utrecht' },
  { code: 'GM0772', name: 'Eindhoven', slug: 'eindhoven' },
  { code: 'GM0014', name: 'Groningen', slug: 'groningen' },
  { code: 'GM0855', name: 'Tilburg', slug: 'tilburg' },
  { code: 'GM0034', name: 'Almere', slug: 'almere' },
  { code: 'GM0758', name: 'Breda', slug: 'breda' },
  { code: 'GM0268', name: 'Nijmegen', slug: 'nijmegen' },
];

const DISTRICTS = ['Centrale Bibliotheek', 'Noord', 'Oost', 'Zuid', 'West', 'Centrum-Oost'];
const STREETS = ['Stationsplein', 'Markt', 'Kerkstraat', 'Dorpsstraat', 'Molenweg', 'Schoolstraat', 'Wilhelminalaan', 'Brink'];

export function slugify(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Deterministic pseudo-random numbers so the demo is the same on every machine. */
function seeded(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function letters(rand: () => number): string {
  const abc = 'ABCDEFGHJKLMNPRTVWXZ';
  for (;;) {
    const pair = abc[Math.floor(rand() * abc.length)]! + abc[Math.floor(rand() * abc.length)]!;
    if (!['SA', 'SD', 'SS'].includes(pair)) return pair;
  }
}

function initials(name: string): string {
  const words = name.replace(/^Bibliotheek /, '').split(/[\s-]+/).filter((w) => /^[A-Za-zÀ-ž]/.test(w));
  return words.length > 1 ? (words[0]![0]! + words[1]![0]!).toUpperCase() : words[0]!.slice(0, 2).toUpperCase();
}

/** Weekly hours: a central branch opens long days and Sundays; a small one a few half days. */
function hoursFor(size: 'central' | 'large' | 'small', variant: number): DemoBranch['hours'] {
  if (size === 'central') {
    return [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opens: '10:00', closes: weekday === 4 ? '21:00' : '20:00' }))
      .concat([{ weekday: 6, opens: '10:00', closes: '17:00' }, { weekday: 7, opens: '12:00', closes: '17:00' }]);
  }
  if (size === 'large') {
    return [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opens: variant % 2 ? '09:30' : '10:00', closes: '18:00' }))
      .concat([{ weekday: 6, opens: '10:00', closes: '16:00' }]);
  }
  return [
    { weekday: 2, opens: '14:00', closes: '17:30' },
    { weekday: 3, opens: '10:00', closes: '12:00' },
    { weekday: 3, opens: '13:00', closes: '17:00' },
    { weekday: variant % 2 ? 4 : 5, opens: '14:00', closes: '20:00' },
    { weekday: 6, opens: '10:00', closes: '13:00' },
  ];
}

function exceptionsFor(years: number[]): DemoBranch['exceptions'] {
  const out: DemoBranch['exceptions'] = [];
  for (const year of years) {
    for (const h of dutchHolidays(year)) out.push({ date: h.date, opens: null, closes: null, reasonNl: h.nl, reasonEn: h.en });
    out.push({ date: `${year}-12-24`, opens: '10:00', closes: '16:00', reasonNl: 'Kerstavond', reasonEn: 'Christmas Eve' });
    out.push({ date: `${year}-12-31`, opens: '10:00', closes: '16:00', reasonNl: 'Oudejaarsdag', reasonEn: "New Year's Eve" });
  }
  return out.sort((a, b) => a.date.localeCompare(b.date));
}

export function buildDemoNetwork(ref: ReferenceData, today = new Date()): DemoLibrary[] {
  const year = today.getUTCFullYear();
  const exceptions = exceptionsFor([year, year + 1]);
  const cityCodes = new Set(CITIES.map((c) => c.code));
  const provinces = [...new Set(ref.municipalities.map((m) => m.provinceName))].sort((a, b) => a.localeCompare(b, 'nl'));
  const libraries: DemoLibrary[] = [];
  const total = CITIES.length + provinces.length;
  let index = 0;

  const makeLibrary = (spec: { slug: string; name: string; shortName: string; kind: 'city' | 'regional'; codes: string[] }) => {
    // spread hues evenly, interleaving so neighbours in the list look different
    const hue = ((index * 7) % total) * (360 / total);
    const brand = brandFromHue(hue);
    const rand = seeded(index + 1);
    const codes = new Set(spec.codes);
    // candidate places: the most populous places (PC4 groups) in the library's municipalities
    const places = new Map<string, { place: string; code: string; pc4s: { pc4: string; inhabitants: number }[]; inhabitants: number }>();
    for (const p of ref.postcodes) {
      if (!p.municipalityCode || !codes.has(p.municipalityCode) || !p.place) continue;
      const key = `${p.municipalityCode}|${p.place}`;
      const entry = places.get(key) ?? { place: p.place, code: p.municipalityCode, pc4s: [], inhabitants: 0 };
      entry.pc4s.push({ pc4: p.pc4, inhabitants: p.inhabitants ?? 0 });
      entry.inhabitants += p.inhabitants ?? 0;
      places.set(key, entry);
    }
    const ranked = [...places.values()].sort((a, b) => b.inhabitants - a.inhabitants);
    const branches: DemoBranch[] = [];
    const used = new Set<string>();
    if (spec.kind === 'city') {
      const city = ranked[0]!;
      const count = Math.min(6, 2 + Math.floor(city.inhabitants / 150_000));
      const pc4s = [...city.pc4s].sort((a, b) => b.inhabitants - a.inhabitants);
      for (let i = 0; i < count; i++) {
        const pc4 = pc4s[Math.floor((i * pc4s.length) / count)]!.pc4;
        const district = DISTRICTS[i]!;
        branches.push(branch(i === 0 ? `${spec.shortName} ${district}` : `${spec.shortName} ${district}`, district, pc4, city.place, city.code, i === 0 ? 'central' : 'large', i));
      }
    } else {
      const count = Math.min(8, ranked.length);
      for (let i = 0; i < count; i++) {
        const place = ranked[i]!;
        const pc4 = [...place.pc4s].sort((a, b) => b.inhabitants - a.inhabitants)[0]!.pc4;
        branches.push(branch(place.place, place.place, pc4, place.place, place.code, i === 0 ? 'central' : i < 3 ? 'large' : 'small', i));
      }
    }

    function branch(name: string, slugSource: string, pc4: string, city: string, code: string, size: 'central' | 'large' | 'small', i: number): DemoBranch {
      let slug = slugify(slugSource);
      while (used.has(slug)) slug = `${slug}-${i}`;
      used.add(slug);
      return {
        slug,
        name: `Bibliotheek ${name}`,
        street: STREETS[Math.floor(rand() * STREETS.length)]!,
        houseNumber: String(1 + Math.floor(rand() * 120)),
        postcode: `${pc4} ${letters(rand)}`,
        city,
        municipalityCode: code,
        phone: `0${String(10 + Math.floor(rand() * 89))}-${String(1000000 + Math.floor(rand() * 8999999)).slice(0, 7)}`,
        email: `${slug}@${spec.slug}.bibliotheek.example`,
        hours: hoursFor(size, i),
        exceptions,
      };
    }

    libraries.push({
      slug: spec.slug,
      name: spec.name,
      shortName: spec.shortName,
      kind: spec.kind,
      brand,
      logoSvg: logoSvg(initials(spec.name), brand, index),
      email: `info@${spec.slug}.bibliotheek.example`,
      phone: `0800-${String(1000 + index * 37).padStart(4, '0')}`,
      municipalityCodes: spec.codes,
      branches,
    });
    index++;
  };

  for (const c of CITIES) {
    makeLibrary({ slug: c.slug, name: `Bibliotheek ${c.name}`, shortName: c.name, kind: 'city', codes: [c.code] });
  }
  for (const province of provinces) {
    const codes = ref.municipalities.filter((m) => m.provinceName === province && !cityCodes.has(m.code)).map((m) => m.code);
    // Utrecht and Groningen are both a city and a province: the regional library says so
    const clash = CITIES.some((c) => c.slug === slugify(province));
    const shortName = clash ? `Provincie ${province}` : province;
    makeLibrary({ slug: slugify(shortName), name: `Bibliotheek ${shortName}`, shortName, kind: 'regional', codes });
  }
  return libraries;
}
