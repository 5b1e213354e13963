import { pathToRegexp } from 'path-to-regexp';

/** Compiles a controller's `host` option the way Nest does (path-to-regexp, or a RegExp as is). */
export function compileHostPatterns(host: string | RegExp | Array<string | RegExp>): RegExp[] {
  return (Array.isArray(host) ? host : [host]).map((each) =>
    typeof each === 'string' ? pathToRegexp(each).regexp : each,
  );
}

/** The hostname of a `Host` header value (port cut off, IPv6 brackets kept). */
export function hostnameOf(host: string | undefined): string {
  if (host === undefined) return '';
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end === -1 ? host : host.slice(0, end + 1);
  }
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}
