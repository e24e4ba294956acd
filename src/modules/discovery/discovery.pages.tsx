// The results page (/<slug>/zoeken): one GET form with the query, facets as fieldsets of
// checkboxes, year range and sort, so everything works without JavaScript; results with every
// format and availability per branch; "Bedoelde u" as a link; pagination.
import type { FastifyInstance } from 'fastify';
import { AppError, type FieldError } from '../../platform/errors.ts';
import { formatNumber, type Lang } from '../../platform/i18n.ts';
import { sendPage } from '../../platform/views/render.ts';
import { FORMAT_INFO } from '../catalogue/index.ts';
import { PortalPage, portalInfo, registerPortalRoutes, type PortalInfo } from '../network/index.ts';
import { KIND_LABELS, priceText, whenText } from '../activities/index.ts';
import * as discovery from './discovery.service.ts';
import type { ActivityResult, FacetValue, ResultFormat, SearchResult, SearchResultItem, TitleResult } from './discovery.service.ts';
import { MAX_PAGE, MAX_QUERY_LENGTH, parseSearchRequest, searchQueryString, type SearchRequest } from './query.ts';

const T = {
  title: { nl: 'Zoeken', en: 'Search' },
  resultsFor: { nl: (q: string) => `Zoekresultaten voor “${q}”`, en: (q: string) => `Search results for “${q}”` },
  query: { nl: 'Zoek naar boeken, e-books, schrijvers, onderwerpen en activiteiten', en: 'Search for books, e-books, authors, subjects and activities' },
  search: { nl: 'Zoeken', en: 'Search' },
  filters: { nl: 'Filters', en: 'Filters' },
  apply: { nl: 'Filters toepassen', en: 'Apply filters' },
  clear: { nl: 'Alle filters wissen', en: 'Clear all filters' },
  count: {
    nl: (n: string, exact: boolean) => `${exact ? '' : 'Meer dan '}${n} ${n === '1' ? 'resultaat' : 'resultaten'}`,
    en: (n: string, exact: boolean) => `${exact ? '' : 'More than '}${n} ${n === '1' ? 'result' : 'results'}`,
  },
  none: { nl: 'Niets gevonden. Probeer andere woorden of minder filters.', en: 'Nothing found. Try other words or fewer filters.' },
  didYouMean: { nl: 'Bedoelde u:', en: 'Did you mean:' },
  sort: { nl: 'Sorteren op', en: 'Sort by' },
  sorts: {
    relevance: { nl: 'Beste resultaat', en: 'Best match' },
    newest: { nl: 'Nieuwste eerst', en: 'Newest first' },
    title: { nl: 'Titel (A–Z)', en: 'Title (A–Z)' },
  },
  facet: {
    kind: { nl: 'Soort', en: 'Kind' },
    format: { nl: 'Vorm', en: 'Format' },
    availability: { nl: 'Beschikbaarheid', en: 'Availability' },
    branch: { nl: 'Vestiging', en: 'Branch' },
    language: { nl: 'Taal', en: 'Language' },
    audience: { nl: 'Leeftijd', en: 'Age group' },
    avi: { nl: 'AVI-niveau', en: 'AVI reading level' },
    function: { nl: 'Bibliotheekfunctie', en: 'Library function' },
    free: { nl: 'Prijs', en: 'Price' },
  },
  branchOrOnline: { nl: 'Vestiging of online', en: 'Branch or online' },
  date: { nl: 'Datum van de activiteit', en: 'Date of the activity' },
  dateFrom: { nl: 'Vanaf', en: 'From' },
  dateTo: { nl: 'Tot en met', en: 'Until' },
  online: { nl: 'Online', en: 'Online' },
  shared: { nl: 'voor alle bibliotheken', en: 'for all libraries' },
  moreDates: { nl: (n: number) => `en nog ${n} ${n === 1 ? 'datum' : 'data'}`, en: (n: number) => `and ${n} more ${n === 1 ? 'date' : 'dates'}` },
  year: { nl: 'Jaar van uitgave', en: 'Year published' },
  yearFrom: { nl: 'Van', en: 'From' },
  yearTo: { nl: 'Tot en met', en: 'To' },
  pages: { nl: 'Paginering', en: 'Pagination' },
  previous: { nl: 'Vorige', en: 'Previous' },
  next: { nl: 'Volgende', en: 'Next' },
  page: { nl: (n: number) => `Pagina ${n}`, en: (n: number) => `Page ${n}` },
  by: { nl: 'door', en: 'by' },
  readNow: { nl: 'nu online te lezen', en: 'read online now' },
  onShelf: {
    nl: (a: number, c: number) => `${a} van ${c} aanwezig`,
    en: (a: number, c: number) => `${a} of ${c} on the shelf`,
  },
  notHere: { nl: 'niet bij deze bibliotheek', en: 'not at this library' },
  at: { nl: 'in', en: 'at' },
  problem: { nl: 'Niet alle filters konden worden gebruikt', en: 'Not all filters could be used' },
};

function FormatLine({ lang, f }: { lang: Lang; f: ResultFormat }) {
  const label = FORMAT_INFO[f.format].label[lang];
  if (f.digital) {
    return <li>{label}: {f.openAccessUrl ? T.readNow[lang] : '—'}</li>;
  }
  const a = f.availability;
  if (!a.copies) return <li>{label}: {T.notHere[lang]}</li>;
  const where = a.branches.filter((b) => b.available > 0).slice(0, 3).map((b) => b.branchName).join(', ');
  return <li>{label}: {T.onShelf[lang](a.available, a.copies)}{where ? ` ${T.at[lang]} ${where}` : ''}</li>;
}

function ActivityItem({ portal, r }: { portal: PortalInfo; r: ActivityResult }) {
  const { lang } = portal;
  const more = r.activityKind === 'course' ? 0 : r.upcomingSessions - 1;
  const place = r.online ? T.online[lang] : r.branch?.name ?? null;
  return (
    <li class="eb-result eb-result--activity">
      <h3 class="utrecht-heading-3"><a class="utrecht-link" href={`${portal.base}/activiteiten/${r.id}`}>{r.title}</a></h3>
      <p class="utrecht-paragraph eb-muted">
        {[KIND_LABELS[r.activityKind][lang], place, priceText(lang, r.priceCents), r.shared ? T.shared[lang] : null].filter(Boolean).join(' · ')}
      </p>
      <p class="utrecht-paragraph">
        <time datetime={r.startsAt.toISOString()}>{whenText(lang, r.startsAt, r.endsAt)}</time>
        {more > 0 ? ` ${T.moreDates[lang](more)}` : ''}
      </p>
      {r.description ? <p class="utrecht-paragraph">{r.description.length >= 300 ? `${r.description.replace(/\s+\S*$/, '')} …` : r.description}</p> : null}
    </li>
  );
}

function Result({ portal, r }: { portal: PortalInfo; r: SearchResultItem }) {
  return r.kind === 'title' ? <TitleItem portal={portal} r={r} /> : <ActivityItem portal={portal} r={r} />;
}

function TitleItem({ portal, r }: { portal: PortalInfo; r: TitleResult }) {
  const { lang } = portal;
  const year = r.yearDisplay ?? (r.year ? String(r.year) : null);
  return (
    <li class="eb-result">
      <h3 class="utrecht-heading-3"><a class="utrecht-link" href={`${portal.base}/titels/${r.id}`}>{r.title}</a></h3>
      <p class="utrecht-paragraph eb-muted">
        {[r.contributors ? `${T.by[lang]} ${r.contributors.replace(/; /g, ', ')}` : null, year, r.aviLevel ? `AVI ${r.aviLevel}` : null].filter(Boolean).join(' · ')}
      </p>
      <ul class="eb-result__formats">
        {r.formats.map((f) => <FormatLine lang={lang} f={f} />)}
      </ul>
    </li>
  );
}

function FacetFieldset({ lang, name, values, legend }: { lang: Lang; name: keyof typeof T.facet; values: FacetValue[]; legend?: string }) {
  if (!values.length) return null;
  return (
    <fieldset class="utrecht-form-fieldset eb-facet">
      <legend class="utrecht-form-fieldset__legend">{legend ?? T.facet[name][lang]}</legend>
      {values.map((v) => {
        const id = `f-${name}-${v.value}`;
        return (
          <div class="eb-facet__option">
            <input class="utrecht-checkbox utrecht-checkbox--html-input" type="checkbox" id={id} name={name} value={v.value} checked={v.selected} />
            <label class="utrecht-form-label utrecht-form-label--checkbox" for={id}>
              {v.label} <span class="eb-muted">({formatNumber(lang, v.count)})</span>
            </label>
          </div>
        );
      })}
    </fieldset>
  );
}

function Pagination({ portal, request, result }: { portal: PortalInfo; request: SearchRequest; result: SearchResult }) {
  const { lang } = portal;
  const last = Math.min(MAX_PAGE, Math.max(1, Math.ceil(result.total / result.pageSize)));
  if (last <= 1 && request.page <= 1) return null;
  const href = (page: number) => `${portal.base}/zoeken${searchQueryString({ ...request, page })}`;
  const pages = [...new Set([1, request.page - 2, request.page - 1, request.page, request.page + 1, request.page + 2, last])]
    .filter((p) => p >= 1 && p <= last).sort((a, b) => a - b);
  return (
    <nav class="eb-pagination" aria-label={T.pages[lang]}>
      <ul>
        {request.page > 1 ? <li><a class="utrecht-link" rel="prev" href={href(Math.min(request.page - 1, last))}>{T.previous[lang]}</a></li> : null}
        {pages.map((p) => (
          <li>
            {p === request.page
              ? <span aria-current="page">{T.page[lang](p)}</span>
              : <a class="utrecht-link" href={href(p)}>{T.page[lang](p)}</a>}
          </li>
        ))}
        {request.page < last ? <li><a class="utrecht-link" rel="next" href={href(request.page + 1)}>{T.next[lang]}</a></li> : null}
      </ul>
    </nav>
  );
}

function searchPage(portal: PortalInfo, request: SearchRequest, result: SearchResult, problems: FieldError[]) {
  const { lang } = portal;
  const heading = request.q ? T.resultsFor[lang](request.q) : T.title[lang];
  const f = result.facets;
  return (
    <PortalPage portal={portal} title={heading} nav="search">
      <h1 class="utrecht-heading-1">{heading}</h1>
      {problems.length ? (
        <div class="eb-alert" role="alert">
          <p class="utrecht-paragraph"><strong>{T.problem[lang]}</strong></p>
          <ul>{problems.map((p) => <li>{p.message[lang]}</li>)}</ul>
        </div>
      ) : null}
      <form class="eb-search-page" method="get" action={`${portal.base}/zoeken`}>
        <div class="eb-search-page__query">
          <label class="utrecht-form-label" for="q">{T.query[lang]}</label>
          <div class="eb-search__row">
            <input class="utrecht-textbox utrecht-textbox--html-input" id="q" name="q" type="search" value={request.q} maxlength={MAX_QUERY_LENGTH}
              autocomplete="off" data-completions={`/api/v1/libraries/${portal.library.slug}/search/completions`} />
            <button class="utrecht-button utrecht-button--primary-action" type="submit">{T.search[lang]}</button>
          </div>
        </div>
        {result.suggestion ? (
          <p class="utrecht-paragraph eb-suggestion">
            {T.didYouMean[lang]}{' '}
            <a class="utrecht-link" href={`${portal.base}/zoeken${searchQueryString({ ...request, q: result.suggestion, page: 1 })}`}>{result.suggestion}</a>
          </p>
        ) : null}
        <div class="eb-search-layout">
          <aside class="eb-facets" aria-labelledby="filters">
            <h2 id="filters" class="utrecht-heading-2">{T.filters[lang]}</h2>
            <FacetFieldset lang={lang} name="kind" values={f.kind} />
            <FacetFieldset lang={lang} name="availability" values={f.availability} />
            <FacetFieldset lang={lang} name="format" values={f.format} />
            <FacetFieldset lang={lang} name="branch" values={f.branch} legend={f.branch.some((v) => v.value === 'online') ? T.branchOrOnline[lang] : undefined} />
            <FacetFieldset lang={lang} name="language" values={f.language} />
            <FacetFieldset lang={lang} name="audience" values={f.audience} />
            <FacetFieldset lang={lang} name="avi" values={f.avi} />
            <FacetFieldset lang={lang} name="function" values={f.function} />
            <FacetFieldset lang={lang} name="free" values={f.free} />
            <fieldset class="utrecht-form-fieldset eb-facet">
              <legend class="utrecht-form-fieldset__legend">{T.date[lang]}</legend>
              <div class="eb-year">
                <label class="utrecht-form-label" for="from">{T.dateFrom[lang]}</label>
                <input class="utrecht-textbox utrecht-textbox--html-input" id="from" name="from" type="date" value={request.from ?? ''} />
                <label class="utrecht-form-label" for="to">{T.dateTo[lang]}</label>
                <input class="utrecht-textbox utrecht-textbox--html-input" id="to" name="to" type="date" value={request.to ?? ''} />
              </div>
            </fieldset>
            <fieldset class="utrecht-form-fieldset eb-facet">
              <legend class="utrecht-form-fieldset__legend">{T.year[lang]}</legend>
              <div class="eb-year">
                <label class="utrecht-form-label" for="yearFrom">{T.yearFrom[lang]}</label>
                <input class="utrecht-textbox utrecht-textbox--html-input" id="yearFrom" name="yearFrom" type="number" inputmode="numeric"
                  min={0} max={2200} value={request.yearFrom ?? ''} placeholder={f.year.min !== null ? String(f.year.min) : undefined} />
                <label class="utrecht-form-label" for="yearTo">{T.yearTo[lang]}</label>
                <input class="utrecht-textbox utrecht-textbox--html-input" id="yearTo" name="yearTo" type="number" inputmode="numeric"
                  min={0} max={2200} value={request.yearTo ?? ''} placeholder={f.year.max !== null ? String(f.year.max) : undefined} />
              </div>
            </fieldset>
            <div class="eb-facet">
              <label class="utrecht-form-label" for="sort">{T.sort[lang]}</label>
              <select class="utrecht-select utrecht-select--html-select" id="sort" name="sort">
                {(['relevance', 'newest', 'title'] as const).map((s) => <option value={s} selected={request.sort === s}>{T.sorts[s][lang]}</option>)}
              </select>
            </div>
            <button class="utrecht-button utrecht-button--secondary-action" type="submit">{T.apply[lang]}</button>
            <p class="utrecht-paragraph"><a class="utrecht-link" href={`${portal.base}/zoeken${searchQueryString({ q: request.q })}`}>{T.clear[lang]}</a></p>
          </aside>
          <section class="eb-results" aria-labelledby="results-count">
            <h2 id="results-count" class="utrecht-heading-2" role="status">
              {T.count[lang](formatNumber(lang, result.total), result.totalExact)}
            </h2>
            {result.results.length ? (
              <ol class="eb-result-list" start={(result.page - 1) * result.pageSize + 1}>
                {result.results.map((r) => <Result portal={portal} r={r} />)}
              </ol>
            ) : <p class="utrecht-paragraph">{T.none[lang]}</p>}
            <Pagination portal={portal} request={request} result={result} />
          </section>
        </div>
      </form>
    </PortalPage>
  );
}

export async function registerDiscoveryPages(app: FastifyInstance): Promise<void> {
  await registerPortalRoutes(app, (scope) => {
    scope.get('/:slug/zoeken', { schema: { hide: true } }, async (req, reply) => {
      const portal = portalInfo(req);
      const { request, problems } = parseSearchRequest(req.query as Record<string, unknown>);
      const fields: FieldError[] = problems.map((p) => ({
        field: p.field,
        message: p.field === 'q'
          ? { nl: `De zoekvraag is ingekort tot ${MAX_QUERY_LENGTH} tekens.`, en: `The query was shortened to ${MAX_QUERY_LENGTH} characters.` }
          : { nl: `Onbekende waarde voor ${p.field}: ${p.value}`, en: `Unknown value for ${p.field}: ${p.value}` },
      }));
      let result: SearchResult;
      try {
        result = await discovery.search(req.ctx, request);
      } catch (error) {
        // a branch slug from an old link: search without it and say so
        if (!(error instanceof AppError) || error.code !== 'DISCOVERY_UNKNOWN_BRANCH') throw error;
        fields.push({ field: 'branch', message: error.text });
        request.branch = [];
        result = await discovery.search(req.ctx, request);
      }
      return sendPage(reply, searchPage(portal, request, result, fields), fields.length ? 400 : 200);
    });
  });
}
