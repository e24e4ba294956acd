// The HTML document every page shares: language attribute, stylesheets (NL Design System plus the
// theme), a skip link and one <main>. No inline script or style: the CSP forbids both.
import type { ComponentChildren } from 'preact';
import type { Lang } from '../i18n.ts';

export interface DocumentProps {
  lang: Lang;
  title: string;
  /** Extra stylesheet, e.g. a library's theme. */
  themeHref?: string;
  description?: string;
  /** Optional JSON-LD object (schema.org), serialised safely. */
  jsonLd?: unknown;
  bodyClass?: string;
  children: ComponentChildren;
}

const skip = { nl: 'Naar de inhoud', en: 'Skip to content' };

/** JSON inside <script> must not be able to close the element. */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

export function Document(props: DocumentProps) {
  return (
    <html lang={props.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
        {props.description ? <meta name="description" content={props.description} /> : null}
        <link rel="stylesheet" href="/static/utrecht/index.css" />
        <link rel="stylesheet" href="/static/eenbieb.css" />
        {props.themeHref ? <link rel="stylesheet" href={props.themeHref} /> : null}
        {props.jsonLd ? (
          <script type="application/ld+json" dangerouslySetInnerHTML={{ __html: safeJson(props.jsonLd) }} />
        ) : null}
      </head>
      <body class={`utrecht-document utrecht-page-body ${props.bodyClass ?? ''}`.trim()}>
        <a class="eb-skip-link utrecht-link" href="#inhoud">{skip[props.lang]}</a>
        {props.children}
      </body>
    </html>
  );
}
