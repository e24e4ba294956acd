// Human-readable API documentation at /api/v1/docs, rendered on the server from the same OpenAPI
// document (no third-party UI bundle: it would need inline scripts the CSP forbids).
import type { FastifyInstance } from 'fastify';
import { Document } from '../views/document.tsx';
import { sendPage } from '../views/render.ts';
import { openApiText, sortKeys } from './openapi.ts';

type Op = { operationId?: string; summary?: string; description?: string; tags?: string[]; parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: { type?: string; pattern?: string } }[]; responses?: Record<string, { description?: string }>; security?: unknown[] };

export function installApiDocs(app: FastifyInstance): void {
  app.get('/api/v1/openapi.json', { schema: { hide: true }, config: { auth: 'public' } }, async (_req, reply) => {
    return reply.type('application/json; charset=utf-8').send(openApiText(app));
  });

  app.get('/api/v1/docs', { schema: { hide: true }, config: { auth: 'public' } }, async (req, reply) => {
    const doc = sortKeys(app.swagger()) as { info: { title: string; description?: string }; paths: Record<string, Record<string, Op>> };
    const lang = req.lang;
    const ops = Object.entries(doc.paths).flatMap(([p, methods]) => Object.entries(methods).map(([m, op]) => ({ path: p, method: m.toUpperCase(), op })));
    return sendPage(reply, (
      <Document lang={lang} title={doc.info.title} themeHref="/static/network.css" bodyClass="eb-national">
        <main id="inhoud" class="eb-main" tabindex={-1}>
          <h1 class="utrecht-heading-1">{doc.info.title}</h1>
          <p class="utrecht-paragraph">{doc.info.description}</p>
          <p class="utrecht-paragraph">
            <a class="utrecht-link" href="/api/v1/openapi.json">OpenAPI 3.1 (JSON)</a>
          </p>
          <h2 class="utrecht-heading-2">{lang === 'nl' ? 'Operaties' : 'Operations'}</h2>
          {ops.map(({ path, method, op }) => (
            <section class="eb-op" aria-labelledby={`op-${op.operationId}`}>
              <h3 class="utrecht-heading-3" id={`op-${op.operationId}`}><code class="utrecht-code">{method} {path}</code></h3>
              <p class="utrecht-paragraph">{op.summary}</p>
              {op.description ? <p class="utrecht-paragraph">{op.description}</p> : null}
              {op.parameters?.length ? (
                <table class="utrecht-table">
                  <caption class="utrecht-table__caption">{lang === 'nl' ? 'Parameters' : 'Parameters'}</caption>
                  <thead class="utrecht-table__header"><tr class="utrecht-table__row">
                    <th class="utrecht-table__header-cell" scope="col">{lang === 'nl' ? 'Naam' : 'Name'}</th>
                    <th class="utrecht-table__header-cell" scope="col">{lang === 'nl' ? 'Waar' : 'In'}</th>
                    <th class="utrecht-table__header-cell" scope="col">{lang === 'nl' ? 'Verplicht' : 'Required'}</th>
                  </tr></thead>
                  <tbody class="utrecht-table__body">
                    {op.parameters.map((p) => (
                      <tr class="utrecht-table__row">
                        <td class="utrecht-table__cell"><code class="utrecht-code">{p.name}</code></td>
                        <td class="utrecht-table__cell">{p.in}</td>
                        <td class="utrecht-table__cell">{p.required ? (lang === 'nl' ? 'ja' : 'yes') : (lang === 'nl' ? 'nee' : 'no')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : null}
              <ul class="utrecht-unordered-list">
                {Object.entries(op.responses ?? {}).map(([status, r]) => (
                  <li class="utrecht-unordered-list__item"><code class="utrecht-code">{status}</code> {r.description}</li>
                ))}
              </ul>
            </section>
          ))}
        </main>
      </Document>
    ));
  });
}
