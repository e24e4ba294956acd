// OPDS 2.0 feeds of a library's digital collection (issue #4): a navigation feed, publication
// feeds with acquisition links, facets, pagination and a search template. Pure: builds the JSON
// from a search result. Validated in tests against the OPDS 2.0 JSON Schemas (test/fixtures/opds).
import type { SearchResult, TitleResult } from './discovery.service.ts';
import type { SearchRequest } from './query.ts';
import { searchQueryString } from './query.ts';

export const OPDS_TYPE = 'application/opds+json';

/** ISO 639-2/B (catalogue) → BCP 47 (OPDS/Readium metadata). */
const BCP47: Record<string, string> = {
  dut: 'nl', fry: 'fy', eng: 'en', ger: 'de', fre: 'fr', spa: 'es', ara: 'ar', tur: 'tr', pol: 'pl', ukr: 'uk', lat: 'la', rus: 'ru', gre: 'el', heb: 'he',
};

export interface OpdsContext {
  /** Absolute base of the library's portal, ending in '/'. */
  portalUrl: string;
  libraryName: string;
  lang: 'nl' | 'en';
}

const T = {
  root: { nl: (n: string) => `${n}: digitale collectie`, en: (n: string) => `${n}: digital collection` },
  all: { nl: 'Alle e-books en luisterboeken', en: 'All e-books and audiobooks' },
  newest: { nl: 'Nieuwste', en: 'Newest' },
  youth: { nl: 'Voor kinderen en jongeren', en: 'For children and young adults' },
  poetry: { nl: 'Poëzie', en: 'Poetry' },
  search: { nl: 'Zoeken', en: 'Search' },
  sort: { nl: 'Sorteren', en: 'Sort' },
  sorts: { relevance: { nl: 'Populair', en: 'Popular' }, newest: { nl: 'Nieuwste', en: 'Newest' }, title: { nl: 'Titel', en: 'Title' } },
  audience: { nl: 'Leeftijd', en: 'Age group' },
  results: { nl: 'E-books en luisterboeken', en: 'E-books and audiobooks' },
};

export function feedUrl(c: OpdsContext, path: string): string {
  return `${c.portalUrl}opds${path}`;
}

export function navigationFeed(c: OpdsContext) {
  const pub = (query: string) => `${feedUrl(c, '/publicaties')}${query}`;
  return {
    metadata: { title: T.root[c.lang](c.libraryName) },
    links: [
      { rel: 'self', href: feedUrl(c, ''), type: OPDS_TYPE },
      { rel: 'start', href: feedUrl(c, ''), type: OPDS_TYPE },
      searchLink(c),
    ],
    navigation: [
      { href: pub(''), title: T.all[c.lang], type: OPDS_TYPE, rel: 'http://opds-spec.org/sort/popular' },
      { href: pub('?sort=newest'), title: T.newest[c.lang], type: OPDS_TYPE, rel: 'http://opds-spec.org/sort/new' },
      { href: pub('?audience=children&audience=young_adults'), title: T.youth[c.lang], type: OPDS_TYPE },
      { href: pub('?q=po%C3%ABzie'), title: T.poetry[c.lang], type: OPDS_TYPE },
    ],
  };
}

function searchLink(c: OpdsContext) {
  return { rel: 'search', href: `${feedUrl(c, '/publicaties')}{?query}`, type: OPDS_TYPE, templated: true, title: T.search[c.lang] };
}

function publication(c: OpdsContext, r: TitleResult) {
  const digital = r.formats.filter((f) => f.digital);
  const links: { rel: string; href: string; type: string; title?: string }[] = [];
  for (const f of digital) {
    if (f.openAccessUrl) {
      const type = /\.pdf($|\?)/i.test(f.openAccessUrl) ? 'application/pdf' : 'application/epub+zip';
      links.push({ rel: 'http://opds-spec.org/acquisition/open-access', href: f.openAccessUrl, type });
    } else {
      // licensed content: borrowing is the lending issue's; the title page offers it
      links.push({ rel: 'http://opds-spec.org/acquisition/borrow', href: `${c.portalUrl}titels/${f.titleId}`, type: 'text/html' });
    }
  }
  const first = digital[0];
  links.push({ rel: 'alternate', href: `${c.portalUrl}titels/${first?.titleId ?? r.id}`, type: 'text/html' });
  const authors = r.contributors ? r.contributors.split('; ').map((name) => ({ name })) : [];
  return {
    metadata: {
      '@type': 'http://schema.org/Book',
      title: r.title,
      identifier: `urn:uuid:${first?.titleId ?? r.id}`,
      ...(authors.length ? { author: authors } : {}),
      ...(r.language && BCP47[r.language] ? { language: BCP47[r.language] } : {}),
      ...(r.genres.length ? { subject: r.genres } : {}),
      ...(r.series ? { belongsTo: { series: [{ name: r.series, ...(r.seriesNumber && /^\d+(\.\d+)?$/.test(r.seriesNumber) ? { position: Number(r.seriesNumber) } : {}) }] } } : {}),
    },
    links,
  };
}

export function publicationsFeed(c: OpdsContext, request: SearchRequest, result: SearchResult) {
  const href = (r: Partial<SearchRequest>) => `${feedUrl(c, '/publicaties')}${searchQueryString({ ...r, format: [] })}`;
  const self = href(request);
  const last = Math.max(1, Math.ceil(result.total / result.pageSize));
  const links: Record<string, unknown>[] = [
    { rel: 'self', href: self, type: OPDS_TYPE },
    { rel: 'start', href: feedUrl(c, ''), type: OPDS_TYPE },
    { rel: 'first', href: href({ ...request, page: 1 }), type: OPDS_TYPE },
    searchLink(c),
  ];
  if (request.page > 1) links.push({ rel: 'previous', href: href({ ...request, page: Math.min(request.page - 1, last) }), type: OPDS_TYPE });
  if (request.page < last) links.push({ rel: 'next', href: href({ ...request, page: request.page + 1 }), type: OPDS_TYPE });
  const facetLinks = (values: { href: string; title: string; active: boolean; count?: number }[]) =>
    values.map((v) => ({
      href: v.href, title: v.title, type: OPDS_TYPE,
      ...(v.active ? { rel: 'self' } : {}),
      ...(v.count !== undefined ? { properties: { numberOfItems: v.count } } : {}),
    }));
  const feed: Record<string, unknown> = {
    metadata: {
      title: request.q ? `${T.results[c.lang]}: ${request.q}` : T.results[c.lang],
      numberOfItems: result.total,
      itemsPerPage: result.pageSize,
      currentPage: request.page,
    },
    links,
    facets: [
      {
        metadata: { title: T.sort[c.lang] },
        links: facetLinks((['relevance', 'newest', 'title'] as const).map((s) => ({
          href: href({ ...request, sort: s, page: 1 }), title: T.sorts[s][c.lang], active: request.sort === s,
        }))),
      },
      ...(result.facets.audience.length ? [{
        metadata: { title: T.audience[c.lang] },
        links: facetLinks(result.facets.audience.map((a) => ({
          href: href({ ...request, audience: a.selected ? [] : [a.value as SearchRequest['audience'][number]], page: 1 }),
          title: a.label, active: a.selected, count: a.count,
        }))),
      }] : []),
    ],
  };
  const publications = result.results.flatMap((r) => (r.kind === 'title' ? [publication(c, r)] : []));
  // OPDS wants at least one publication or navigation link: an empty page navigates back
  if (publications.length) feed.publications = publications;
  else feed.navigation = [{ href: feedUrl(c, ''), title: T.root[c.lang](c.libraryName), type: OPDS_TYPE }];
  return feed;
}
