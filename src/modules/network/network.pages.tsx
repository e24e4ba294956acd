// Server-rendered pages of the network module: the national library finder (the only national
// page), and each library's portal home, branches, branch page and statements.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, type LocalisedText } from '../../platform/errors.ts';
import { formatDate, type Lang } from '../../platform/i18n.ts';
import { renderDocument, sendPage } from '../../platform/views/render.ts';
import { hhmm, type OpeningState, type WeeklyInterval } from '../../shared/opening-hours.ts';
import { themeCss } from './branding.ts';
import * as network from './network.service.ts';
import type { BranchView } from './network.service.ts';
import { NationalPage, PortalPage, portalInfo, type PortalInfo } from './portal.tsx';

const WEEKDAYS: Record<Lang, string[]> = {
  nl: ['maandag', 'dinsdag', 'woensdag', 'donderdag', 'vrijdag', 'zaterdag', 'zondag'],
  en: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
};

function stateText(lang: Lang, state: OpeningState): string {
  const reason = state.today.exception ? (lang === 'nl' ? state.today.exception.reasonNl : state.today.exception.reasonEn) : null;
  if (state.open) return lang === 'nl' ? `Nu open, tot ${state.closesAt}` : `Open now, until ${state.closesAt}`;
  if (state.opensAt) return lang === 'nl' ? `Nu gesloten, vandaag open vanaf ${state.opensAt}` : `Closed now, opens today at ${state.opensAt}`;
  if (!state.today.intervals.length) {
    const base = lang === 'nl' ? 'Vandaag gesloten' : 'Closed today';
    return reason ? `${base} (${reason})` : base;
  }
  return lang === 'nl' ? 'Nu gesloten, vandaag niet meer open' : 'Closed now, not open again today';
}

function intervalsText(lang: Lang, intervals: { opens: string; closes: string }[]): string {
  if (!intervals.length) return lang === 'nl' ? 'gesloten' : 'closed';
  return intervals.map((i) => `${hhmm(i.opens)}–${hhmm(i.closes)}`).join(', ');
}

function OpeningBadge({ lang, state }: { lang: Lang; state: OpeningState }) {
  return <p class={`eb-state ${state.open ? 'eb-state--open' : 'eb-state--closed'}`}>{stateText(lang, state)}</p>;
}

function Address({ b }: { b: BranchView }) {
  return (
    <address class="eb-address">
      {b.street} {b.houseNumber}<br />
      {b.postcode} {b.city}
    </address>
  );
}

/** `level` is the heading level of each card: one below the heading the list sits under. */
function BranchList({ portal, branches, level = 3 }: { portal: PortalInfo; branches: BranchView[]; level?: 2 | 3 }) {
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <ul class="eb-cards">
      {branches.map((b) => (
        <li class="eb-card">
          <Heading class="utrecht-heading-3 eb-card__title"><a class="utrecht-link" href={`${portal.base}/vestigingen/${b.slug}`}>{b.name}</a></Heading>
          <Address b={b} />
          <OpeningBadge lang={portal.lang} state={b.state} />
        </li>
      ))}
    </ul>
  );
}

function HoursTable({ lang, weekly, caption }: { lang: Lang; weekly: WeeklyInterval[]; caption: string }) {
  return (
    <table class="utrecht-table eb-hours">
      <caption class="utrecht-table__caption">{caption}</caption>
      <thead class="utrecht-table__header">
        <tr class="utrecht-table__row">
          <th class="utrecht-table__header-cell" scope="col">{lang === 'nl' ? 'Dag' : 'Day'}</th>
          <th class="utrecht-table__header-cell" scope="col">{lang === 'nl' ? 'Open' : 'Open'}</th>
        </tr>
      </thead>
      <tbody class="utrecht-table__body">
        {WEEKDAYS[lang].map((day, i) => (
          <tr class="utrecht-table__row">
            <th class="utrecht-table__header-cell" scope="row">{day}</th>
            <td class="utrecht-table__cell">{intervalsText(lang, weekly.filter((w) => w.weekday === i + 1))}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const P = {
  homeIntro: {
    nl: 'Lenen, lezen, leren en elkaar ontmoeten: boeken, e-books en luisterboeken, activiteiten en hulp, met één lidmaatschap.',
    en: 'Borrow, read, learn and meet: books, e-books and audiobooks, activities and help, with one membership.',
  },
  todayOpen: { nl: 'Vandaag open', en: 'Open today' },
  allBranches: { nl: 'Alle vestigingen en openingstijden', en: 'All branches and opening hours' },
  branchesTitle: { nl: 'Vestigingen en openingstijden', en: 'Branches and opening hours' },
  weekly: { nl: 'Openingstijden per week', en: 'Weekly opening hours' },
  exceptions: { nl: 'Afwijkende openingstijden', en: 'Special opening hours' },
  noExceptions: { nl: 'De komende weken gelden de gewone openingstijden.', en: 'The regular opening hours apply in the coming weeks.' },
  contactTitle: { nl: 'Contact', en: 'Contact' },
  address: { nl: 'Adres', en: 'Address' },
};

function homePage(portal: PortalInfo, branches: BranchView[]) {
  const { lang, library } = portal;
  return (
    <PortalPage portal={portal} title={lang === 'nl' ? 'Welkom' : 'Welcome'} nav="home">
      <h1 class="utrecht-heading-1">{library.name}</h1>
      <p class="utrecht-paragraph eb-lead">{P.homeIntro[lang]}</p>
      <section aria-labelledby="today">
        <h2 id="today" class="utrecht-heading-2">{P.todayOpen[lang]} · {formatDate(lang, new Date())}</h2>
        <BranchList portal={portal} branches={branches} />
        <p class="utrecht-paragraph"><a class="utrecht-link" href={`${portal.base}/vestigingen`}>{P.allBranches[lang]}</a></p>
      </section>
    </PortalPage>
  );
}

function branchesPage(portal: PortalInfo, branches: BranchView[]) {
  return (
    <PortalPage portal={portal} title={P.branchesTitle[portal.lang]} nav="branches">
      <h1 class="utrecht-heading-1">{P.branchesTitle[portal.lang]}</h1>
      {/* straight under the h1: a heading level may not be skipped (WCAG 1.3.1) */}
      <BranchList portal={portal} branches={branches} level={2} />
    </PortalPage>
  );
}

function branchPage(portal: PortalInfo, b: BranchView) {
  const { lang, library } = portal;
  const jsonLd = {
    '@context': 'https://schema.org',
    '@type': 'Library',
    name: b.name,
    parentOrganization: { '@type': 'Library', name: library.name },
    address: { '@type': 'PostalAddress', streetAddress: `${b.street} ${b.houseNumber}`, postalCode: b.postcode, addressLocality: b.city, addressCountry: 'NL' },
    telephone: b.phone ?? undefined,
    email: b.email ?? undefined,
    openingHoursSpecification: b.weekly.map((w) => ({
      '@type': 'OpeningHoursSpecification',
      dayOfWeek: `https://schema.org/${WEEKDAYS.en[w.weekday - 1]}`,
      opens: w.opens,
      closes: w.closes,
    })),
  };
  return (
    <PortalPage portal={portal} title={b.name} nav="branches" jsonLd={jsonLd}>
      <p class="eb-breadcrumb"><a class="utrecht-link" href={`${portal.base}/vestigingen`}>{P.branchesTitle[lang]}</a></p>
      <h1 class="utrecht-heading-1">{b.name}</h1>
      <OpeningBadge lang={lang} state={b.state} />
      <div class="eb-columns">
        <section aria-labelledby="address">
          <h2 id="address" class="utrecht-heading-2">{P.address[lang]}</h2>
          <Address b={b} />
          {b.phone ? <p class="utrecht-paragraph"><a class="utrecht-link" href={`tel:${b.phone.replace(/[^0-9+]/g, '')}`}>{b.phone}</a></p> : null}
          {b.email ? <p class="utrecht-paragraph"><a class="utrecht-link" href={`mailto:${b.email}`}>{b.email}</a></p> : null}
        </section>
        <section aria-labelledby="hours">
          <h2 id="hours" class="utrecht-heading-2">{P.weekly[lang]}</h2>
          <HoursTable lang={lang} weekly={b.weekly} caption={`${P.weekly[lang]}: ${b.name}`} />
        </section>
      </div>
      <section aria-labelledby="exceptions">
        <h2 id="exceptions" class="utrecht-heading-2">{P.exceptions[lang]}</h2>
        {b.upcoming.length ? (
          <ul class="utrecht-unordered-list">
            {b.upcoming.map((e) => (
              <li class="utrecht-unordered-list__item">
                {formatDate(lang, new Date(`${e.date}T12:00:00Z`))}: {lang === 'nl' ? e.reasonNl : e.reasonEn},{' '}
                {intervalsText(lang, e.opens && e.closes ? [{ opens: e.opens, closes: e.closes }] : [])}
              </li>
            ))}
          </ul>
        ) : <p class="utrecht-paragraph">{P.noExceptions[lang]}</p>}
      </section>
    </PortalPage>
  );
}

function textPage(portal: PortalInfo, title: string, paragraphs: string[]) {
  return (
    <PortalPage portal={portal} title={title}>
      <h1 class="utrecht-heading-1">{title}</h1>
      {paragraphs.map((p) => <p class="utrecht-paragraph">{p}</p>)}
    </PortalPage>
  );
}

function privacyText(lang: Lang, name: string): [string, string[]] {
  return lang === 'nl'
    ? ['Privacyverklaring', [
      `${name} is verantwoordelijk voor de persoonsgegevens van haar leden en bezoekers. Wij verwerken alleen wat nodig is voor de dienst die u gebruikt: lidmaatschap, lenen, reserveren en aanmelden voor activiteiten.`,
      'Uw leengeschiedenis bewaren wij alleen als u daar zelf voor kiest. Andere bibliotheken in het netwerk zien uw gegevens alleen op grond van een vastgelegde afspraak, en dan zoveel mogelijk zonder dat u herkenbaar bent.',
      'Medewerkers kijken alleen in uw gegevens als dat nodig is; iedere keer wordt vastgelegd. U kunt uw gegevens inzien, downloaden, laten verbeteren of laten verwijderen (AVG). Neem daarvoor contact met ons op.',
      'Op deze website gebruiken wij alleen cookies die nodig zijn om de site te laten werken (taalkeuze, inloggen). Wij volgen u niet.',
    ]]
    : ['Privacy statement', [
      `${name} is responsible for the personal data of its members and visitors. We process only what the service you use needs: membership, borrowing, reservations and registering for activities.`,
      'We keep your loan history only if you choose so yourself. Other libraries in the network see your data only under a recorded agreement, and then as far as possible without you being identifiable.',
      'Staff look at your data only when needed; every look is recorded. You may view, download, correct or erase your data (GDPR). Contact us to do so.',
      'This website only uses cookies that it needs to work (language choice, signing in). We do not track you.',
    ]];
}

function accessibilityText(lang: Lang, name: string): [string, string[]] {
  return lang === 'nl'
    ? ['Toegankelijkheidsverklaring', [
      `${name} wil dat iedereen deze website kan gebruiken. De site is gebouwd volgens WCAG 2.1 niveau AA, de norm voor Nederlandse overheidsorganisaties.`,
      'Alle pagina\'s werken met alleen een toetsenbord en zonder JavaScript. Elke pagina wordt automatisch getest met axe-core in een echte browser, in de kleuren van meerdere bibliotheken.',
      'Loopt u toch tegen een probleem aan? Laat het ons weten via de contactgegevens hieronder; wij reageren binnen vijf werkdagen.',
    ]]
    : ['Accessibility statement', [
      `${name} wants everyone to be able to use this website. It is built to WCAG 2.1 level AA, the norm for Dutch public bodies.`,
      'Every page works with a keyboard alone and without JavaScript. Each page is tested automatically with axe-core in a real browser, in the colours of several libraries.',
      'Still running into a problem? Let us know through the contact details below; we answer within five working days.',
    ]];
}

function contactPage(portal: PortalInfo, branches: BranchView[]) {
  const { lang, library } = portal;
  return (
    <PortalPage portal={portal} title={P.contactTitle[lang]}>
      <h1 class="utrecht-heading-1">{P.contactTitle[lang]}</h1>
      <p class="utrecht-paragraph">
        {lang === 'nl' ? 'E-mail: ' : 'E-mail: '}<a class="utrecht-link" href={`mailto:${library.email}`}>{library.email}</a>
      </p>
      <p class="utrecht-paragraph">
        {lang === 'nl' ? 'Telefoon: ' : 'Phone: '}<a class="utrecht-link" href={`tel:${library.phone.replace(/[^0-9+]/g, '')}`}>{library.phone}</a>
      </p>
      <h2 class="utrecht-heading-2">{P.branchesTitle[lang]}</h2>
      <BranchList portal={portal} branches={branches} />
    </PortalPage>
  );
}

/** Pages that later modules serve; until a module is installed, the portal says so honestly. */
const UPCOMING: Record<string, { nav: 'search' | 'activities' | 'account'; title: LocalisedText; text: LocalisedText }> = {
  zoeken: {
    nav: 'search',
    title: { nl: 'Zoeken', en: 'Search' },
    text: { nl: 'Zoeken in de collectie is binnenkort beschikbaar in dit portaal.', en: 'Searching the collection will soon be available in this portal.' },
  },
  activiteiten: {
    nav: 'activities',
    title: { nl: 'Activiteiten', en: 'Activities' },
    text: { nl: 'De agenda met activiteiten is binnenkort beschikbaar in dit portaal.', en: 'The activities calendar will soon be available in this portal.' },
  },
  mijn: {
    nav: 'account',
    title: { nl: 'Mijn bibliotheek', en: 'My library' },
    text: { nl: 'Inloggen en uw lidmaatschap beheren is binnenkort beschikbaar in dit portaal.', en: 'Signing in and managing your membership will soon be available in this portal.' },
  },
};

const homeCache = new WeakMap<network.Library, Map<string, string>>();

export function registerPortalPages(app: FastifyInstance, installedPages: Set<string>): void {
  app.get('/:slug/theme.css', { schema: { hide: true } }, async (req, reply) => {
    const { library } = portalInfo(req);
    return reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(themeCss(library.brand));
  });

  app.get('/:slug', { schema: { hide: true } }, async (req, reply) => reply.redirect(`${portalInfo(req).base}/`, 301));

  app.get('/:slug/', { schema: { hide: true } }, async (req, reply) => {
    const portal = portalInfo(req);
    // The home page is the busiest page of every portal and the same for every anonymous visitor
    // within a minute (opening states change by the minute): it is rendered once per library,
    // language, address and minute. Signed-in visitors always get a fresh render.
    const anonymous = req.ctx.actor.kind === 'anonymous';
    const key = `${portal.lang}|${portal.base}|${portal.url}|${Math.floor(Date.now() / 60_000)}`;
    const cached = anonymous ? homeCache.get(portal.library)?.get(key) : undefined;
    if (cached) return reply.code(200).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(cached);
    const branches = await network.listBranches(req.ctx, portal.library.id);
    const html = renderDocument(homePage(portal, branches));
    if (anonymous) {
      // a new Library object (after the library cache's TTL or a change) starts a new page cache
      const pages = homeCache.get(portal.library) ?? new Map<string, string>();
      if (pages.size > 50) pages.clear();
      pages.set(key, html);
      homeCache.set(portal.library, pages);
    }
    return reply.code(200).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  });

  app.get('/:slug/vestigingen', { schema: { hide: true } }, async (req, reply) => {
    const portal = portalInfo(req);
    return sendPage(reply, branchesPage(portal, await network.listBranches(req.ctx, portal.library.id)));
  });

  app.get('/:slug/vestigingen/:branch', { schema: { hide: true } }, async (req, reply) => {
    const portal = portalInfo(req);
    const { branch } = req.params as { branch: string };
    return sendPage(reply, branchPage(portal, await network.getBranch(req.ctx, portal.library.id, branch)));
  });

  app.get('/:slug/privacy', { schema: { hide: true } }, async (req, reply) => {
    const portal = portalInfo(req);
    const [title, paragraphs] = privacyText(portal.lang, portal.library.name);
    return sendPage(reply, textPage(portal, title, paragraphs));
  });

  app.get('/:slug/toegankelijkheid', { schema: { hide: true } }, async (req, reply) => {
    const portal = portalInfo(req);
    const [title, paragraphs] = accessibilityText(portal.lang, portal.library.name);
    return sendPage(reply, textPage(portal, title, paragraphs));
  });

  app.get('/:slug/contact', { schema: { hide: true } }, async (req, reply) => {
    const portal = portalInfo(req);
    return sendPage(reply, contactPage(portal, await network.listBranches(req.ctx, portal.library.id)));
  });

  for (const [path, page] of Object.entries(UPCOMING)) {
    if (installedPages.has(path)) continue;
    app.get(`/:slug/${path}`, { schema: { hide: true } }, async (req, reply) => {
      const portal = portalInfo(req);
      return sendPage(reply, (
        <PortalPage portal={portal} title={page.title[portal.lang]} nav={page.nav}>
          <h1 class="utrecht-heading-1">{page.title[portal.lang]}</h1>
          <p class="utrecht-paragraph">{page.text[portal.lang]}</p>
        </PortalPage>
      ), 404);
    });
  }
}

const F = {
  title: { nl: 'Vind uw bibliotheek', en: 'Find your library' },
  intro: {
    nl: 'Elke gemeente in Nederland heeft een openbare bibliotheek. Vul uw postcode in, dan brengen wij u naar uw eigen bibliotheek.',
    en: 'Every municipality in the Netherlands has a public library. Enter your postcode and we take you to your own library.',
  },
  postcode: { nl: 'Uw postcode', en: 'Your postcode' },
  postcodeHint: { nl: 'Bijvoorbeeld 3511 AB of 3511', en: 'For example 3511 AB or 3511' },
  go: { nl: 'Naar mijn bibliotheek', en: 'Go to my library' },
  join: { nl: 'Lid worden bij mijn bibliotheek', en: 'Join my library' },
  byName: { nl: 'Of zoek op naam', en: 'Or search by name' },
  nameLabel: { nl: 'Naam van de bibliotheek of gemeente', en: 'Name of the library or municipality' },
  filter: { nl: 'Zoek', en: 'Search' },
  all: { nl: 'Alle bibliotheken', en: 'All libraries' },
  serves: { nl: 'Voor', en: 'Serves' },
  noMatch: { nl: 'Geen bibliotheek gevonden met deze naam.', en: 'No library found with this name.' },
  count: { nl: (n: number) => `${n} bibliotheken`, en: (n: number) => `${n} libraries` },
  errorSummary: { nl: 'Er is een probleem', en: 'There is a problem' },
};

function fold(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

export function finderPage(
  lang: Lang, url: string, libraries: Awaited<ReturnType<typeof network.listLibraries>>,
  form: { postcode?: string; q?: string; error?: string },
) {
  const q = form.q?.trim() ?? '';
  const shown = q
    ? libraries.filter((l) => [l.name, ...l.municipalities, ...l.places].some((m) => fold(m).includes(fold(q))))
    : libraries;
  return (
    <NationalPage lang={lang} url={url} title={F.title[lang]}>
      <h1 class="utrecht-heading-1">{F.title[lang]}</h1>
      <p class="utrecht-paragraph eb-lead">{F.intro[lang]}</p>
      <form class="eb-form" method="get" action="/" novalidate>
        <div class={`utrecht-form-field ${form.error ? 'utrecht-form-field--invalid' : ''}`}>
          <label class="utrecht-form-label" for="postcode">{F.postcode[lang]}</label>
          <p class="utrecht-form-field-description" id="postcode-hint">{F.postcodeHint[lang]}</p>
          {form.error ? <p class="utrecht-form-field-error-message" id="postcode-error">{form.error}</p> : null}
          <input
            class={`utrecht-textbox utrecht-textbox--html-input ${form.error ? 'utrecht-textbox--invalid' : ''}`}
            id="postcode" name="postcode" type="text" inputmode="text" autocomplete="postal-code"
            value={form.postcode ?? ''} maxlength={10}
            aria-describedby={form.error ? 'postcode-hint postcode-error' : 'postcode-hint'}
            aria-invalid={form.error ? 'true' : undefined}
          />
        </div>
        <div class="eb-search__row">
          <button class="utrecht-button utrecht-button--primary-action" type="submit">{F.go[lang]}</button>
          <button class="utrecht-button utrecht-button--secondary-action" type="submit" name="doel" value="aanmelden">{F.join[lang]}</button>
        </div>
      </form>
      <section aria-labelledby="by-name">
        <h2 id="by-name" class="utrecht-heading-2">{F.byName[lang]}</h2>
        <form class="eb-form eb-form--inline" method="get" action="/">
          <label class="utrecht-form-label" for="q">{F.nameLabel[lang]}</label>
          <div class="eb-search__row">
            <input class="utrecht-textbox utrecht-textbox--html-input" id="q" name="q" type="search" value={q} maxlength={100} />
            <button class="utrecht-button utrecht-button--secondary-action" type="submit">{F.filter[lang]}</button>
          </div>
        </form>
        <h3 class="utrecht-heading-3">{q ? F.count[lang](shown.length) : F.all[lang]}</h3>
        {shown.length ? (
          <ul class="eb-library-list">
            {shown.map((l) => (
              <li>
                <a class="utrecht-link" href={l.url}>{l.name}</a>
                <span class="eb-muted">
                  {' '}— {F.serves[lang]} {l.municipalities.length > 6
                    ? `${l.municipalities.slice(0, 6).join(', ')} ${lang === 'nl' ? `en ${l.municipalities.length - 6} andere gemeenten` : `and ${l.municipalities.length - 6} other municipalities`}`
                    : l.municipalities.join(', ')}
                </span>
              </li>
            ))}
          </ul>
        ) : <p class="utrecht-paragraph">{F.noMatch[lang]}</p>}
      </section>
    </NationalPage>
  );
}

export function registerFinderPage(app: FastifyInstance): void {
  app.get('/', { schema: { hide: true } }, async (req, reply) => {
    const query = req.query as { postcode?: unknown; q?: unknown; doel?: unknown };
    const postcode = typeof query.postcode === 'string' ? query.postcode.slice(0, 20) : undefined;
    const q = typeof query.q === 'string' ? query.q.slice(0, 100) : undefined;
    if (postcode !== undefined) {
      try {
        const route = await network.routePostcode(req.ctx, postcode);
        // "Lid worden" on the national page: straight to the sign-up of the home library
        if (query.doel === 'aanmelden') return reply.redirect(`${route.library.url}aanmelden?postcode=${encodeURIComponent(postcode)}`, 303);
        return reply.redirect(route.library.url, 303);
      } catch (error) {
        if (!(error instanceof AppError) || !error.code.startsWith('NETWORK_POSTCODE')) throw error;
        const libraries = await network.listLibraries(req.ctx);
        return sendPage(reply, finderPage(req.lang, req.url, libraries, { postcode, q, error: error.text[req.lang] }), error.status);
      }
    }
    return sendPage(reply, finderPage(req.lang, req.url, await network.listLibraries(req.ctx), { q }));
  });
}

/** Error pages: in the library's brand inside a portal, else in the national style. */
export function renderErrorPage(req: FastifyRequest, error: AppError): string {
  const lang = req.lang ?? 'nl';
  const home = { nl: 'Naar de startpagina', en: 'Go to the home page' };
  const finder = { nl: 'Vind uw bibliotheek', en: 'Find your library' };
  const heading = error.status === 404
    ? { nl: 'Pagina niet gevonden', en: 'Page not found' }
    : error.status >= 500 ? { nl: 'Er ging iets mis', en: 'Something went wrong' } : { nl: 'Dat lukte niet', en: 'That did not work' };
  if (req.portal) {
    return renderDocument(
      <PortalPage portal={req.portal} title={heading[lang]}>
        <h1 class="utrecht-heading-1">{heading[lang]}</h1>
        <p class="utrecht-paragraph">{error.text[lang]}</p>
        <p class="utrecht-paragraph"><a class="utrecht-link" href={`${req.portal.base}/`}>{home[lang]}</a></p>
      </PortalPage>,
    );
  }
  return renderDocument(
    <NationalPage lang={lang} url={req.url} title={heading[lang]}>
      <h1 class="utrecht-heading-1">{heading[lang]}</h1>
      <p class="utrecht-paragraph">{error.text[lang]}</p>
      <p class="utrecht-paragraph"><a class="utrecht-link" href="/">{finder[lang]}</a></p>
    </NationalPage>,
  );
}
