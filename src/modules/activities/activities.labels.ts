// Words for the offer in both languages (B1 Dutch first). The statutory functions follow the
// wording of the library law (Wsob art. 5).
import type { LocalisedText } from '../../platform/errors.ts';
import type { Lang } from '../../platform/i18n.ts';
import type { ActivityKind, Audience, StatutoryFunction } from './activities.tables.ts';
import { amsterdamParts } from './amsterdam-time.ts';

export const FUNCTION_LABELS: Record<StatutoryFunction, LocalisedText> = {
  knowledge_information: { nl: 'Kennis en informatie', en: 'Knowledge and information' },
  development_education: { nl: 'Ontwikkeling en educatie', en: 'Development and education' },
  reading_literature: { nl: 'Lezen en literatuur', en: 'Reading and literature' },
  meeting_debate: { nl: 'Ontmoeting en debat', en: 'Meeting and debate' },
  art_culture: { nl: 'Kunst en cultuur', en: 'Art and culture' },
};

export const AUDIENCE_LABELS: Record<Audience, LocalisedText> = {
  children: { nl: 'Kinderen (0–12)', en: 'Children (0–12)' },
  youth: { nl: 'Jongeren (12–18)', en: 'Young people (12–18)' },
  adults: { nl: 'Volwassenen', en: 'Adults' },
  seniors: { nl: 'Senioren (65+)', en: 'Seniors (65+)' },
  families: { nl: 'Gezinnen', en: 'Families' },
};

export const KIND_LABELS: Record<ActivityKind, LocalisedText> = {
  event: { nl: 'Evenement', en: 'Event' },
  course: { nl: 'Cursus', en: 'Course' },
  service: { nl: 'Dienst of spreekuur', en: 'Service' },
};

const dateFormat = {
  nl: new Intl.DateTimeFormat('nl-NL', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Amsterdam' }),
  en: new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Amsterdam' }),
};

/** "dinsdag 10 maart 2026, 19:30–21:00" */
export function whenText(lang: Lang, startsAt: Date, endsAt: Date): string {
  const s = amsterdamParts(startsAt);
  const e = amsterdamParts(endsAt);
  const day = dateFormat[lang].format(startsAt);
  return s.date === e.date ? `${day}, ${s.time}–${e.time}` : `${day}, ${s.time} – ${dateFormat[lang].format(endsAt)}, ${e.time}`;
}

export function priceText(lang: Lang, cents: number): string {
  if (cents === 0) return lang === 'nl' ? 'Gratis' : 'Free';
  return new Intl.NumberFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', { style: 'currency', currency: 'EUR' }).format(cents / 100);
}
