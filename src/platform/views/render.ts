// Server-side rendering with Preact. preact-render-to-string escapes text and attributes by
// default; nothing here uses dangerouslySetInnerHTML except vetted SVG and JSON-LD (see callers).
import type { FastifyReply } from 'fastify';
import type { VNode } from 'preact';
import { render } from 'preact-render-to-string';

export function renderDocument(node: VNode): string {
  return `<!doctype html>${render(node)}`;
}

export function sendPage(reply: FastifyReply, node: VNode, status = 200): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(renderDocument(node));
}
