import { pathToRegexp } from 'path-to-regexp';

/** Compiles a controller's `host` option the way Nest does (path-to-regexp, or a RegExp as is). */
export function compileHostPatterns(host: string | RegExp | Array<string | RegExp>): RegExp[] {
  return (Array.isArray(host) ? host : [host]).map((each) =>
    typeof each === 'string' ? pathToRegexp(each).regexp : each,
  );
}

/** The hostname of a `Host` header value (port cut off, IPv6 brackets kept). */
function hostnameOf(host: string | undefined): string {
  if (host === undefined) return '';
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end === -1 ? host : host.slice(0, end + 1);
  }
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

/** Whether a host-bound controller's patterns take this hostname. */
export function servesHost(hosts: readonly RegExp[], hostname: string): boolean {
  return hosts.some((re) => re.test(hostname));
}

/**
 * The hostname Nest's host filter (`@Controller({ host })`) reads from a
 * request: `HttpAdapter.getRequestHostname()`, which is `req.hostname` on
 * both adapters and so follows `X-Forwarded-Host` where `trust proxy` (Express)
 * or `trustProxy` (Fastify) says to. `request` is the adapter's request.
 */
export type RequestHostname = (request: unknown) => string;

/** The hostname of a request's `Host` header: what {@link RequestHostname} gives without a proxy to trust. */
export function hostnameFromHeader(request: unknown): string {
  return hostnameOf((request as { headers?: { host?: string } }).headers?.host);
}

/** Nest's own {@link RequestHostname} for an HTTP adapter, as its host filter calls it; the `Host` header's without one. */
export function adapterHostname(adapter: {
  getRequestHostname?(request: unknown): string | undefined;
}): RequestHostname {
  const read = adapter.getRequestHostname;
  if (typeof read !== 'function') return hostnameFromHeader;
  return (request) => read.call(adapter, request) || '';
}
