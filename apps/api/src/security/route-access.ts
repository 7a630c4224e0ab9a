import type { FastifyRequest } from 'fastify';

/**
 * Who may call a route when API keys are set: `open` never needs a key,
 * `seed` only with API_PROTECT_SEED, `protected` always (/v1, and any route
 * not listed here, so a new route is safe by default).
 */
export type RouteAccess = 'open' | 'seed' | 'protected';

const HEALTH = /^\/health(\/|$)/;
const METRICS = /^\/metrics\/?$/;
const OPEN = [HEALTH, METRICS, /^\/docs(\/|-json$|-yaml$|$)/];
const SEED = [/^\/?$/, /^\/solo(\/|$)/, /^\/result(\/|$)/];

/**
 * @param path the matched route's pattern (`/result/:taskId`); the router
 * matches case-insensitively (as Express did), so this does too.
 */
export function routeAccess(path: string): RouteAccess {
  const lower = path.toLowerCase();
  if (OPEN.some((pattern) => pattern.test(lower))) {
    return 'open';
  }
  return SEED.some((pattern) => pattern.test(lower)) ? 'seed' : 'protected';
}

/** Whether a request to `path` must carry a valid API key. */
export function requiresApiKey(
  path: string,
  { protectSeed }: { protectSeed: boolean },
): boolean {
  const access = routeAccess(path);
  return access === 'protected' || (access === 'seed' && protectSeed);
}

/** Health probes: always open and never rate limited. */
export function isHealthPath(path: string): boolean {
  return HEALTH.test(path.toLowerCase());
}

/** Health probes and the Prometheus scrape: never rate limited. */
export function isUnthrottledPath(path: string): boolean {
  return isHealthPath(path) || METRICS.test(path.toLowerCase());
}

/**
 * The pattern of the route the router matched, not the raw URL: `/V1/ping`
 * reaches the same handler as `/v1/ping` and must be judged alike. Without
 * a match (a 404), the path as sent.
 */
export function routePathOf(request: FastifyRequest): string {
  const route = request.routeOptions?.url;
  if (typeof route === 'string') {
    return route;
  }
  const url = request.url;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
