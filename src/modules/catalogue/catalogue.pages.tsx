// The title page (/<slug>/titels/<id>): every format of the work, availability per branch at this
// library, and schema.org JSON-LD (a Book with a workExample per format). Works without JavaScript
// and prints cleanly.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import type { Lang } from '../../platform/i18n.ts';
import { sendPage } from '../../platform/views/render.ts';
import { PortalPage, libraryUrl, portalInfo, registerPortalRoutes, type PortalInfo } from '../network/index.ts';
import { KIND_LABELS, relatedActivities, whenText } from '../activities/index.ts';
import * as catalogue from './catalogue.service.ts';
import type { FormatView, TitleDetail } from './catalogue.service.ts';
import { AUDIENCE_LABEL, FORMAT_INFO, ROLE_LABEL, languageLabel } from './formats.ts';

const T = {
  back: { nl: 'Terug naar zoeken', en: 'Back to search' },
  by: { nl: 'door', en: 'by' },
  details: { nl: 'Gegevens', en: 'Details' },
  formats: { nl: 'Verkrijgbaar als', en: 'Available as' },
  year: { nl: 'Jaar', en: 'Year' },
  language: { nl: 'Taal', en: 'Language' },
  edition: { nl: 'Druk', en: 'Edition' },
  publisher: { nl: 'Uitgever', en: 'Publisher' },
  series: { nl: 'Reeks', en: 'Series' },
  genres: { nl: 'Genre', en: 'Genre' },
  subjects: { nl: 'Onderwerpen', en: 'Subjects' },
  audience: { nl: 'Doelgroep', en: 'Audience' },
  avi: { nl: 'AVI-niveau', en: 'AVI reading level' },
  branch: { nl: 'Vestiging', en: 'Branch' },
  onShelf: { nl: 'Aanwezig', en: 'On the shelf' },
  copies: { nl: 'Exemplaren', en: 'Copies' },
  shelf: { nl: 'Plaats', en: 'Shelf' },
  noCopies: { nl: 'Deze bibliotheek heeft hier geen exemplaren van.', en: 'This library has no copies of this.' },
  readNow: { nl: 'Nu online lezen (open toegang)', en: 'Read online now (open access)' },
  reserveSoon: {
    nl: 'Reserveren en digitaal lenen kan binnenkort via Mijn bibliotheek.',
    en: 'Reserving and digital borrowing will soon be possible through My library.',
  },
  availableSummary: {
    nl: (a: number, c: number) => `${a} van ${c} ${c === 1 ? 'exemplaar' : 'exemplaren'} aanwezig`,
    en: (a: number, c: number) => `${a} of ${c} ${c === 1 ? 'copy' : 'copies'} on the shelf`,
  },
  local: { nl: 'Alleen bij deze bibliotheek', en: 'Only at this library' },
  activities: { nl: 'Activiteiten over dit boek', en: 'Activities about this book' },
  online: { nl: 'Online', en: 'Online' },
};

type Related = Awaited<ReturnType<typeof relatedActivities>>;

/** Upcoming activities about this work (a reading club for the book), linked to their pages. */
function RelatedActivities({ portal, activities }: { portal: PortalInfo; activities: Related }) {
  const { lang } = portal;
  if (!activities.length) return null;
  return (
    <section aria-labelledby="related-activities">
      <h2 id="related-activities" class="utrecht-heading-2">{T.activities[lang]}</h2>
      <ul class="eb-agenda">
        {activities.map((a) => (
          <li class="eb-agenda__item">
            <h3 class="utrecht-heading-3"><a class="utrecht-link" href={`${portal.base}/activiteiten/${a.id}`}>{a.title}</a></h3>
            <p class="eb-agenda__when"><time datetime={new Date(a.startsAt).toISOString()}>{whenText(lang, new Date(a.startsAt), new Date(a.endsAt))}</time></p>
            <p class="eb-agenda__meta">{[KIND_LABELS[a.kind][lang], a.online ? T.online[lang] : a.branchName].filter(Boolean).join(' · ')}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}
/**
 * The lending actions on a title page (reserve, borrow digitally) come from the lending module,
 * which depends on the catalogue and not the other way round: it registers a renderer here.
 */
export type TitleActions = (req: FastifyRequest, reply: FastifyReply, title: TitleDetail) => Promise<VNode | null>;
let titleActions: TitleActions | null = null;
export function provideTitleActions(render: TitleActions): void { titleActions = render; }

function roleText(lang: Lang, role: string): string {
  return ROLE_LABEL[role]?.[lang] ?? role;
}

function FormatSection({ lang, f, index }: { lang: Lang; f: FormatView; index: number }) {
  const id = `format-${index}`;
  const info = FORMAT_INFO[f.format];
  const meta = [f.edition, f.yearDisplay ?? (f.year ? String(f.year) : null), f.publisher, f.isbn ? `ISBN ${f.isbn}` : null].filter(Boolean).join(' · ');
  return (
    <section class="eb-format" aria-labelledby={id}>
      <h3 id={id} class="utrecht-heading-3">{info.label[lang]}{f.local ? <span class="eb-muted"> · {T.local[lang]}</span> : null}</h3>
      {meta ? <p class="utrecht-paragraph eb-muted">{meta}</p> : null}
      {f.openAccessUrl ? (
        <p class="utrecht-paragraph"><a class="utrecht-link" href={f.openAccessUrl} rel="noopener">{T.readNow[lang]}</a></p>
      ) : null}
      {!info.digital ? (
        f.availability.copies ? (
          <>
            <p class="utrecht-paragraph eb-state">{T.availableSummary[lang](f.availability.available, f.availability.copies)}</p>
            <table class="utrecht-table eb-availability">
              <caption class="utrecht-table__caption">{info.label[lang]}: {T.onShelf[lang].toLowerCase()} {lang === 'nl' ? 'per vestiging' : 'per branch'}</caption>
              <thead class="utrecht-table__header">
                <tr class="utrecht-table__row">
                  <th class="utrecht-table__header-cell" scope="col">{T.branch[lang]}</th>
                  <th class="utrecht-table__header-cell" scope="col">{T.onShelf[lang]}</th>
                  <th class="utrecht-table__header-cell" scope="col">{T.copies[lang]}</th>
                  <th class="utrecht-table__header-cell" scope="col">{T.shelf[lang]}</th>
                </tr>
              </thead>
              <tbody class="utrecht-table__body">
                {f.availability.branches.map((b) => (
                  <tr class="utrecht-table__row">
                    <th class="utrecht-table__header-cell" scope="row">{b.branchName}</th>
                    <td class="utrecht-table__cell">{b.available}</td>
                    <td class="utrecht-table__cell">{b.copies}</td>
                    <td class="utrecht-table__cell">{b.shelves.join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ) : <p class="utrecht-paragraph">{T.noCopies[lang]}</p>
      ) : null}
    </section>
  );
}

export function titleJsonLd(portal: PortalInfo, t: TitleDetail, pageUrl: string) {
  return {
    '@context': 'https://schema.org',
    '@type': 'Book',
    '@id': pageUrl,
    name: t.title,
    ...(t.subtitle ? { alternativeHeadline: t.subtitle } : {}),
    author: t.contributors.filter((c) => c.role === 'aut').map((c) => ({ '@type': 'Person', name: c.name })),
    ...(t.language ? { inLanguage: t.language } : {}),
    ...(t.genres.length ? { genre: t.genres } : {}),
    ...(t.series ? { isPartOf: { '@type': 'CreativeWorkSeries', name: t.series } } : {}),
    workExample: t.formats.map((f) => ({
      '@type': 'Book',
      '@id': `${pageUrl.replace(/[^/]+$/, '')}${f.id}`,
      name: f.title,
      ...(FORMAT_INFO[f.format].schemaOrg ? { bookFormat: FORMAT_INFO[f.format].schemaOrg } : {}),
      ...(f.isbn ? { isbn: f.isbn } : {}),
      ...(f.year ? { datePublished: String(f.year) } : {}),
      ...(f.edition ? { bookEdition: f.edition } : {}),
      ...(f.openAccessUrl ? { url: f.openAccessUrl, isAccessibleForFree: true } : {}),
      ...(!FORMAT_INFO[f.format].digital ? {
        offers: {
          '@type': 'Offer',
          price: 0,
          priceCurrency: 'EUR',
          availability: f.availability.available > 0 ? 'https://schema.org/InStock' : 'https://schema.org/OutOfStock',
          offeredBy: { '@type': 'Library', name: portal.library.name },
        },
      } : {}),
    })),
  };
}

function titlePage(portal: PortalInfo, t: TitleDetail, pageUrl: string, activities: Related, actions: VNode | null) {
  const { lang } = portal;
  const facts: [string, string][] = [];
  const year = t.yearDisplay ?? (t.year ? String(t.year) : null);
  if (year) facts.push([T.year[lang], year]);
  if (t.language) facts.push([T.language[lang], languageLabel(t.language, lang)]);
  if (t.edition) facts.push([T.edition[lang], t.edition]);
  if (t.publisher) facts.push([T.publisher[lang], t.publisher]);
  if (t.series) facts.push([T.series[lang], t.seriesNumber ? `${t.series} ${t.seriesNumber}` : t.series]);
  if (t.genres.length) facts.push([T.genres[lang], t.genres.join(', ')]);
  if (t.subjects.length) facts.push([T.subjects[lang], t.subjects.join(', ')]);
  if (t.audience) facts.push([T.audience[lang], AUDIENCE_LABEL[t.audience][lang]]);
  if (t.aviLevel) facts.push([T.avi[lang], t.aviLevel]);
  if (t.isbn) facts.push(['ISBN', t.isbn]);
  if (t.ppn) facts.push(['PPN', t.ppn]);
  return (
    <PortalPage portal={portal} title={t.title} nav="search" description={t.description ?? undefined} jsonLd={titleJsonLd(portal, t, pageUrl)}>
      <p class="eb-breadcrumb"><a class="utrecht-link" href={`${portal.base}/zoeken`}>{T.back[lang]}</a></p>
      <h1 class="utrecht-heading-1">{t.title}</h1>
      {t.subtitle ? <p class="utrecht-paragraph eb-lead">{t.subtitle}</p> : null}
      {t.contributors.length ? (
        <p class="utrecht-paragraph">
          {T.by[lang]} {t.contributors.map((c, i) => (
            <>{i > 0 ? ', ' : ''}{c.name}{c.role !== 'aut' ? ` (${roleText(lang, c.role)})` : ''}</>
          ))}
        </p>
      ) : null}
      {t.description ? <p class="utrecht-paragraph">{t.description}</p> : null}
      <section aria-labelledby="formats">
        <h2 id="formats" class="utrecht-heading-2">{T.formats[lang]}</h2>
        {t.formats.map((f, i) => <FormatSection lang={lang} f={f} index={i} />)}
        {actions ? null : <p class="utrecht-paragraph eb-muted">{T.reserveSoon[lang]}</p>}
      </section>
      {actions}
      <RelatedActivities portal={portal} activities={activities} />
      <section aria-labelledby="details">
        <h2 id="details" class="utrecht-heading-2">{T.details[lang]}</h2>
        <dl class="eb-facts">
          {facts.map(([k, v]) => (<><dt>{k}</dt><dd>{v}</dd></>))}
        </dl>
      </section>
    </PortalPage>
  );
}

export async function registerCataloguePages(app: FastifyInstance): Promise<void> {
  await registerPortalRoutes(app, (scope) => {
    scope.get('/:slug/titels/:id', { schema: { hide: true } }, async (req, reply) => {
      const portal = portalInfo(req);
      const { id } = req.params as { id: string };
      const title = await catalogue.getTitle(req.ctx, id);
      const pageUrl = `${libraryUrl(req.ctx, portal.library.slug)}titels/${title.id}`;
      // any title of the work counts: a reading club linked to the book also shows on the e-book's page
      const activities = await relatedActivities(req.ctx, portal.library.id, [title.id, ...title.formats.map((f) => f.id)]);
      return sendPage(reply, titlePage(portal, title, pageUrl, activities, titleActions ? await titleActions(req, reply, title) : null));
    });
  });
}
