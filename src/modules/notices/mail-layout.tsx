// A notice in a library's brand: one content model rendered twice, as a plain-text part (what the
// outbox always had, and what screen readers and text-only clients get) and as an HTML part with
// the library's colours, logo, address and portal link.
//
// Mail clients ignore stylesheets and strip <style> blocks, so the HTML part uses inline styles and
// a single-column table-free layout (blocks only). It is never served on a page of the platform
// (the strict CSP there forbids inline styles); the development viewer serves it on its own URL.
import { render } from 'preact-render-to-string';
import type { BrandTokens } from '../../platform/db/database.ts';
import type { Lang } from '../../platform/i18n.ts';

export interface MailBrand {
  name: string;
  brand: BrandTokens;
  /** The library's logo (SVG markup from the library record); shown as an image, not inlined. */
  logoSvg: string;
  email: string;
  phone: string;
  /** A postal address line ("Neude 11, 3512 AE Utrecht"), when the library has a branch. */
  address: string | null;
  /** The library's portal, ending in a slash. */
  portalUrl: string;
}

export interface MailContent {
  lang: Lang;
  subject: string;
  /** Paragraphs before the list. */
  intro: string[];
  /** Items (titles), shown as a bulleted list. */
  list?: string[];
  /** Paragraphs after the list. */
  outro?: string[];
  /** The one thing to do, as a button (HTML) or a line with the address (text). */
  action?: { label: string; href: string };
}

const TEXT = '#1a1a1a';
const WHITE = '#ffffff';

const say = (lang: Lang) => (nl: string, en: string) => (lang === 'nl' ? nl : en);

function signature(b: MailBrand, lang: Lang): string[] {
  const t = say(lang);
  return [
    b.name,
    ...(b.address ? [b.address] : []),
    `${t('Telefoon', 'Phone')}: ${b.phone} · ${t('E-mail', 'E-mail')}: ${b.email}`,
    b.portalUrl,
  ];
}

/** The plain-text part: a clear branded layout that also reads well without HTML. */
export function mailText(b: MailBrand, c: MailContent): string {
  const t = say(c.lang);
  const rule = '='.repeat(Math.min(60, Math.max(20, b.name.length)));
  const parts = [
    `${b.name}\n${rule}`,
    c.intro.join('\n\n'),
    ...(c.list?.length ? [c.list.map((x) => `- ${x}`).join('\n')] : []),
    ...(c.outro?.length ? [c.outro.join('\n\n')] : []),
    ...(c.action ? [`${c.action.label}: ${c.action.href}`] : []),
    `${t('Met vriendelijke groet,', 'Kind regards,')}\n${signature(b, c.lang).join('\n')}`,
  ];
  return parts.join('\n\n');
}

function logoDataUri(svg: string): string {
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}

/** The HTML part: header in the brand colour with logo and name, the message, and a contact footer. */
export function mailHtml(b: MailBrand, c: MailContent): string {
  const t = say(c.lang);
  const p = { margin: '0 0 16px', lineHeight: '1.5' };
  const doc = (
    <html lang={c.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{c.subject}</title>
      </head>
      <body style={{ margin: 0, padding: 0, background: b.brand.tint, color: TEXT, fontFamily: 'Arial, Helvetica, sans-serif', fontSize: '16px' }}>
        <div style={{ maxWidth: '600px', margin: '0 auto', background: WHITE }}>
          <header style={{ background: b.brand.primary, color: WHITE, padding: '16px 24px' }}>
            <img src={logoDataUri(b.logoSvg)} alt="" width={40} height={40} style={{ verticalAlign: 'middle', marginRight: '12px', background: WHITE, borderRadius: '4px' }} />
            <span style={{ fontSize: '20px', fontWeight: 'bold', verticalAlign: 'middle' }}>{b.name}</span>
          </header>
          <main style={{ padding: '24px' }}>
            <h1 style={{ fontSize: '22px', margin: '0 0 16px', color: TEXT }}>{c.subject}</h1>
            {c.intro.map((x) => <p style={p}>{x}</p>)}
            {c.list?.length ? <ul style={{ margin: '0 0 16px', paddingLeft: '24px', lineHeight: '1.5' }}>{c.list.map((x) => <li>{x}</li>)}</ul> : null}
            {(c.outro ?? []).map((x) => <p style={p}>{x}</p>)}
            {c.action ? (
              <p style={{ margin: '24px 0' }}>
                <a href={c.action.href} style={{ background: b.brand.primary, color: WHITE, padding: '12px 20px', borderRadius: '4px', textDecoration: 'none', fontWeight: 'bold', display: 'inline-block' }}>{c.action.label}</a>
              </p>
            ) : null}
            <p style={p}>{t('Met vriendelijke groet,', 'Kind regards,')}<br />{b.name}</p>
          </main>
          <footer style={{ background: b.brand.tint, padding: '16px 24px', fontSize: '14px', lineHeight: '1.5' }}>
            <strong>{b.name}</strong><br />
            {b.address ? <>{b.address}<br /></> : null}
            {t('Telefoon', 'Phone')}: {b.phone} · {t('E-mail', 'E-mail')}: <a href={`mailto:${b.email}`} style={{ color: b.brand.accent }}>{b.email}</a><br />
            <a href={b.portalUrl} style={{ color: b.brand.accent }}>{b.portalUrl}</a>
          </footer>
        </div>
      </body>
    </html>
  );
  return `<!doctype html>${render(doc)}`;
}

/** Both parts of a branded notice. */
export function brandedMail(b: MailBrand, c: MailContent): { subject: string; bodyText: string; bodyHtml: string } {
  return { subject: c.subject, bodyText: mailText(b, c), bodyHtml: mailHtml(b, c) };
}
