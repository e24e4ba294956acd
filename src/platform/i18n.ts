// Dutch first, English second. The language is chosen by `?lang=` (which also sets a cookie so
// the choice sticks without JavaScript), then the cookie, then Dutch.
import type { FastifyRequest } from 'fastify';

export type Lang = 'nl' | 'en';
export const LANG_COOKIE = 'eb_lang';

export function isLang(value: unknown): value is Lang {
  return value === 'nl' || value === 'en';
}

export function resolveLang(req: FastifyRequest): { lang: Lang; fromQuery: boolean } {
  const q = (req.query as Record<string, unknown> | undefined)?.lang;
  if (isLang(q)) return { lang: q, fromQuery: true };
  const c = req.cookies?.[LANG_COOKIE];
  if (isLang(c)) return { lang: c, fromQuery: false };
  return { lang: 'nl', fromQuery: false };
}

/** The Dutch or English text, written inline: `const s = say(lang); s('Zoeken', 'Search')`. */
export const say = (lang: Lang) => (nl: string, en: string): string => (lang === 'nl' ? nl : en);

const dateFormats = {
  nl: new Intl.DateTimeFormat('nl-NL', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Amsterdam' }),
  en: new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Amsterdam' }),
};

export function formatDate(lang: Lang, date: Date): string {
  return dateFormats[lang].format(date);
}

const numberFormats = { nl: new Intl.NumberFormat('nl-NL'), en: new Intl.NumberFormat('en-GB') };
export function formatNumber(lang: Lang, n: number): string {
  return numberFormats[lang].format(n);
}
