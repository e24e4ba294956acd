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

export async function routePostcode(ctx: Ctx, input: string): Promise<Route> {
  const parsed = parsePostcode(input ?? '');
  if (!parsed.ok) throw PostcodeInvalid();
  const row = await inNetwork(ctx.db, (tx) => repo.findRouteByPc4(tx, parsed.pc4));
  if (!row) throw PostcodeUnknown(parsed.formatted);
  if (!row.municipalityCode || !row.librarySlug) throw PostcodeNotResidential(parsed.formatted);
  return {
    postcode: parsed.formatted,
    library: { slug: row.librarySlug, name: row.libraryName!, url: libraryUrl(ctx, row.librarySlug) },
    municipality: { code: row.municipalityCode, name: row.municipalityName! },
  };
}

export async function listLibraries(ctx: Ctx) {
  const rows = await inNetwork(ctx.db, (tx) => repo.listLibraries(tx));
  return rows.map((r) => ({ ...r, url: libraryUrl(ctx, r.slug) }));
}

// Libraries change rarely and every portal request needs one: a short per-process cache keeps
// the hot path to one query. Changes through this process clear it; other processes see them
// within the TTL.
const CACHE_TTL_MS = 30_000;
const cache = new Map<string, { at: number; library: Library | null }>();

export function forgetLibraryCache(): void {
  cache.clear();
}

export async function findLibrary(ctx: Ctx, slug: string): Promise<Library | null> {
  const hit = cache.get(slug);
  if (hit && Date.now() - hit.at < CACHE_TTL_MS) return hit.library;
  if (!/^[a-z0-9-]{1,60}$/.test(slug)) return null;
  const row = await inNetwork(ctx.db, (tx) => repo.findLibraryBySlug(tx, slug));
  const library = row ? { ...row, brand: row.brand as BrandTokens } : null;
  if (cache.size > 1000) cache.clear();
  cache.set(slug, { at: Date.now(), library });
  return library;
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
  const today = localMoment(now).date;
  return inTenant(ctx.db, libraryId, async (tx) => {
    const branches = slug
      ? [await repo.findBranchBySlug(tx, libraryId, slug)].filter((b) => b !== undefined)
      : await repo.listBranches(tx, libraryId);
    const ids = branches.map((b) => b.id);
    const [hours, exceptions] = await Promise.all([
      repo.weeklyHours(tx, libraryId, ids),
      repo.exceptionsBetween(tx, libraryId, ids, today, addDays(today, UPCOMING_DAYS)),
    ]);
    return branches.map((b) => {
      const weekly = hours.filter((h) => h.branchId === b.id);
      const upcoming = exceptions.filter((e) => e.branchId === b.id);
      return { ...b, weekly, upcoming, state: openingState(now, weekly, upcoming) };
    });
  });
}

export async function listBranches(ctx: Ctx, libraryId: string, now = new Date()): Promise<BranchView[]> {
  return loadBranches(ctx, libraryId, null, now);
}

export async function getBranch(ctx: Ctx, libraryId: string, slug: string, now = new Date()): Promise<BranchView> {
  const [branch] = await loadBranches(ctx, libraryId, slug, now);
  if (!branch) throw BranchNotFound();
  return branch;
}
