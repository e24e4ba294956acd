// A library's brand is a small token set (colours) plus a logo. Tokens theme the NL Design System
// (Utrecht) components through CSS custom properties; nothing national is branded on a library's
// pages. Every token set must pass WCAG contrast, checked by `brandProblems`.
import type { BrandTokens } from '../../platform/db/database.ts';
import { contrastRatio, hsl } from '../../shared/contrast.ts';

export const TEXT_COLOUR = '#1a1a1a';
export const WHITE = '#ffffff';

/** The neutral network style of the national entry page. */
export const NETWORK_BRAND: BrandTokens = { primary: '#2b3a4a', accent: '#1f5f8b', tint: '#eef2f6' };

/** Contrast problems of a token set (empty when it passes WCAG 2.1 AA for text). */
export function brandProblems(brand: BrandTokens): string[] {
  const problems: string[] = [];
  const check = (what: string, fg: string, bg: string) => {
    const ratio = contrastRatio(fg, bg);
    if (ratio < 4.5) problems.push(`${what}: contrast ${ratio.toFixed(2)} < 4.5`);
  };
  check('white text on primary', WHITE, brand.primary);
  check('accent links on white', brand.accent, WHITE);
  check('accent links on tint', brand.accent, brand.tint);
  check('body text on tint', TEXT_COLOUR, brand.tint);
  return problems;
}

/** Derives a passing token set from a hue: darkens until the contrast targets hold with margin. */
export function brandFromHue(hue: number): BrandTokens {
  let l = 0.42;
  let primary = hsl(hue, 0.65, l);
  while (contrastRatio(WHITE, primary) < 7 && l > 0.05) primary = hsl(hue, 0.65, (l -= 0.01));
  let la = 0.4;
  let accent = hsl(hue, 0.75, la);
  const tint = hsl(hue, 0.55, 0.95);
  while ((contrastRatio(accent, WHITE) < 5.5 || contrastRatio(accent, tint) < 5) && la > 0.05) {
    accent = hsl(hue, 0.75, (la -= 0.01));
  }
  return { primary, accent, tint };
}

const HEX = /^#[0-9a-f]{6}$/i;

/** The per-library stylesheet served at /<slug>/theme.css (no inline styles: strict CSP). */
export function themeCss(brand: BrandTokens): string {
  for (const v of Object.values(brand)) if (!HEX.test(v)) throw new Error('brand token is not a colour');
  return `:root {
  --eb-primary: ${brand.primary};
  --eb-on-primary: ${WHITE};
  --eb-accent: ${brand.accent};
  --eb-tint: ${brand.tint};
  --utrecht-link-color: ${brand.accent};
  --utrecht-link-hover-color: ${brand.primary};
  --utrecht-link-visited-color: ${brand.accent};
  --utrecht-button-primary-action-background-color: ${brand.primary};
  --utrecht-button-primary-action-border-color: ${brand.primary};
  --utrecht-button-primary-action-color: ${WHITE};
  --utrecht-button-primary-action-hover-background-color: ${brand.accent};
  --utrecht-button-secondary-action-color: ${brand.primary};
  --utrecht-button-secondary-action-border-color: ${brand.primary};
  --utrecht-focus-outline-color: ${brand.accent};
  --utrecht-textbox-focus-border-color: ${brand.primary};
}
`;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * A simple generated logo: an open book in the brand colour with the library's initials. The
 * logo sits next to the library's name (the accessible name), so it is decorative (aria-hidden).
 */
export function logoSvg(initials: string, brand: BrandTokens, variant: number): string {
  const spine = ['M24 12v26', 'M24 10v28', 'M24 14v24'][variant % 3]!;
  const pages = [
    'M6 12c6-2 12-1 18 2c6-3 12-4 18-2v26c-6-2-12-1-18 2c-6-3-12-4-18-2z',
    'M6 14c7-3 12-2 18 1c6-3 11-4 18-1v24c-7-3-12-2-18 1c-6-3-11-4-18-1z',
    'M8 12h14c1 0 2 1 2 2c0-1 1-2 2-2h14v26H26c-1 0-2 1-2 2c0-1-1-2-2-2H8z',
  ][variant % 3]!;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48" width="48" height="48" aria-hidden="true" focusable="false">`
    + `<rect width="48" height="48" rx="10" fill="${WHITE}"/>`
    + `<path d="${pages}" fill="${brand.tint}" stroke="${brand.primary}" stroke-width="2"/>`
    + `<path d="${spine}" stroke="${brand.primary}" stroke-width="2"/>`
    + `<text x="24" y="33" text-anchor="middle" font-family="Arial, sans-serif" font-weight="700" font-size="11" fill="${brand.primary}">${escapeXml(initials)}</text>`
    + `</svg>`;
}
