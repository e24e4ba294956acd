// Use cases of the network: postcode routing, the library directory, a library's portal identity
// and its branches with opening hours.
import type { BrandTokens } from '../../platform/db/database.ts';
import { inNetwork, inTenant } from '../../platform/db/tenant.ts';
import type { Ctx } from '../../platform/context.ts';
import { localMoment, openingState, type DateException, type OpeningState, type WeeklyInterval } from '../../shared/opening-hours.ts';
import { parsePostcode } from '../../shared/postcode.ts';
import { BranchNotFound, LibraryNotFound, PostcodeInvalid, PostcodeNotResidential, PostcodeUnknown } from './network.errors.ts';
import * as repo from './network.repository.ts';

export interface Library {
  id: string;
  slug: string;
  name: string;
  shortName: string;
  kind: 'city' | 'regional';
  brand: BrandTokens;
  logoSvg: string;
  email: string;
  phone: string;
  modules: string[];
  cardPrefix: string | null;
}

export interface Route {
  postcode: string;
  library: { slug: string; name: string; url: string };
  municipality: { code: string; name: string };
}

/** The public address of a library's portal: its own host name when it has one. */
export function libraryUrl(ctx: Pick<Ctx, 'config'>, slug: string): string {
  const host = Object.entries(ctx.config.hostLibraries).find(([, s]) => s === slug)?.[0];
  if (host) return `${new URL(ctx.config.publicUrl).protocol}//${host}/`;
  return `${ctx.config.publicUrl}/${slug}/`;
}

// Reference data that every visitor reads and that changes a few times a year at most (postcode
// areas, service areas, the library list, branch hours) is kept in a short per-process cache.
// Changes made through this process clear it (forgetLibraryCache); other processes see them
// within the TTL. The foundation benchmark showed the per-request queries dominating.
const REFERENCE_TTL_MS = 60_000;

function ttlCache<K, V>(ttl: number, load: (key: K) => Promise<V>) {
  const entries = new Map<K, { at: number; value: Promise<V> }>();
  return {
    get(key: K): Promise<V> {
      const hit = entries.get(key);
      if (hit && Date.now() - hit.at < ttl) return hit.value;
      const value = load(key);
      // a failed load is not cached
      value.catch(() => entries.delete(key));
      if (entries.size > 1000) entries.clear();
      entries.set(key, { at: Date.now(), value });
      return value;
    },
    clear: () => entries.clear(),
  };
}

type RouteRow = Awaited<ReturnType<typeof repo.allRoutes>>[number];
type BranchData = Omit<BranchView, 'state'>;

/** One set of caches per database (tests run several databases in one process). */
function createCaches(db: Ctx['db']) {
  return {
    libraries: ttlCache<string, Library | null>(REFERENCE_TTL_MS, async (slug) => {
      const row = await inNetwork(db, (tx) => repo.findLibraryBySlug(tx, slug));
      return row ? { ...row, brand: row.brand as BrandTokens } : null;
    }),
    routes: ttlCache<'all', Map<string, RouteRow>>(REFERENCE_TTL_MS, async () => {
      const rows = await inNetwork(db, (tx) => repo.allRoutes(tx));
      return new Map(rows.map((r) => [r.pc4, r]));
    }),
    libraryList: ttlCache<'all', Awaited<ReturnType<typeof repo.listLibraries>>>(REFERENCE_TTL_MS, () => inNetwork(db, (tx) => repo.listLibraries(tx))),
    // a library's branches by name, for lists that need no hours (the search's branch facet)
    directory: ttlCache<string, { id: string; slug: string; name: string }[]>(REFERENCE_TTL_MS, (libraryId) =>
      inTenant(db, libraryId, async (tx) => (await repo.listBranches(tx, libraryId)).map((b) => ({ id: b.id, slug: b.slug, name: b.name })))),
    // keyed by library and local date: the exceptions window starts today
    branches: ttlCache<string, BranchData[]>(REFERENCE_TTL_MS, async (key) => {
      const [libraryId, today] = key.split('|') as [string, string];
      return inTenant(db, libraryId, async (tx) => {
        const branches = await repo.listBranches(tx, libraryId);
        const ids = branches.map((b) => b.id);
        const hours = await repo.weeklyHours(tx, libraryId, ids);
        const exceptions = await repo.exceptionsBetween(tx, libraryId, ids, today, addDays(today, UPCOMING_DAYS));
        return branches.map((b) => ({
          ...b,
          weekly: hours.filter((h) => h.branchId === b.id),
          upcoming: exceptions.filter((e) => e.branchId === b.id),
        }));
      });
    }),
  };
}

let caches = new WeakMap<object, ReturnType<typeof createCaches>>();
function cachesFor(ctx: Ctx) {
  let c = caches.get(ctx.db);
  if (!c) {
    c = createCaches(ctx.db);
    caches.set(ctx.db, c);
  }
  return c;
}

export async function routePostcode(ctx: Ctx, input: string): Promise<Route> {
  const parsed = parsePostcode(input ?? '');
  if (!parsed.ok) throw PostcodeInvalid();
  const row = (await cachesFor(ctx).routes.get('all')).get(parsed.pc4);
  if (!row) throw PostcodeUnknown(parsed.formatted);
  if (!row.municipalityCode || !row.librarySlug) throw PostcodeNotResidential(parsed.formatted);
  return {
    postcode: parsed.formatted,
    library: { slug: row.librarySlug, name: row.libraryName!, url: libraryUrl(ctx, row.librarySlug) },
    municipality: { code: row.municipalityCode, name: row.municipalityName! },
  };
}

export async function listLibraries(ctx: Ctx) {
  const rows = await cachesFor(ctx).libraryList.get('all');
  return rows.map((r) => ({ ...r, url: libraryUrl(ctx, r.slug) }));
}

// Libraries change rarely and every portal request needs one: a short per-process cache keeps
// the hot path to one query. Changes through this process clear it; other processes see them
// within the TTL.
export function forgetLibraryCache(): void {
  caches = new WeakMap();
}

export async function findLibrary(ctx: Ctx, slug: string): Promise<Library | null> {
  if (!/^[a-z0-9-]{1,60}$/.test(slug)) return null;
  return cachesFor(ctx).libraries.get(slug);
}

export async function getLibrary(ctx: Ctx, slug: string): Promise<Library> {
  const library = await findLibrary(ctx, slug);
  if (!library) throw LibraryNotFound();
  return library;
}

export interface BranchView {
  id: string;
  slug: string;
  name: string;
  street: string;
  houseNumber: string;
  postcode: string;
  city: string;
  municipalityCode: string;
  phone: string | null;
  email: string | null;
  weekly: WeeklyInterval[];
  /** Exceptions from today for the coming weeks. */
  upcoming: DateException[];
  state: OpeningState;
}

const UPCOMING_DAYS = 42;

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

async function loadBranches(ctx: Ctx, libraryId: string, slug: string | null, now: Date): Promise<BranchView[]> {
  const all = await cachesFor(ctx).branches.get(`${libraryId}|${localMoment(now).date}`);
  // "open now" is computed per request from the cached hours
  return all.filter((b) => slug === null || b.slug === slug).map((b) => ({ ...b, state: openingState(now, b.weekly, b.upcoming) }));
}

export async function listBranches(ctx: Ctx, libraryId: string, now = new Date()): Promise<BranchView[]> {
  return loadBranches(ctx, libraryId, null, now);
}

/**
 * The library's branches by name — id, slug and name only — from the reference cache (at most a
 * minute behind). Call it outside a transaction: on a cache miss it opens its own.
 */
export async function branchDirectory(ctx: Ctx, libraryId: string): Promise<{ id: string; slug: string; name: string }[]> {
  return cachesFor(ctx).directory.get(libraryId);
}

export async function getBranch(ctx: Ctx, libraryId: string, slug: string, now = new Date()): Promise<BranchView> {
  const [branch] = await loadBranches(ctx, libraryId, slug, now);
  if (!branch) throw BranchNotFound();
  return branch;
}
