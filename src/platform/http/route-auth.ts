// Whether a route needs nothing, a session or an API key is declared on the route itself
// (`config.auth`). Every API route must declare it: the app refuses to start otherwise, so a new
// route cannot silently be public.
import type { FastifyInstance } from 'fastify';

export type RouteAuth = 'public' | 'session' | 'staff' | 'network' | 'api-key';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
}

export function requireDeclaredAuth(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    const auth = (route.config as { auth?: RouteAuth } | undefined)?.auth;
    if (!auth) throw new Error(`API route ${route.method} ${route.url} does not declare config.auth`);
  });
}
