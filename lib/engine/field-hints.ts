/**
 * Options of `cors`, `@fastify/cors` and Nest's `enableCors()` that have no
 * field here, with what to write instead: an unknown field that one of these
 * names is a migration, not a typo.
 */
const MIGRATION_HINTS: Readonly<Record<string, string>> = {
  headers: "is the cors package's alias of allowedHeaders; write allowedHeaders",
  preflight:
    'is an @fastify/cors option; here every preflight is answered by the policy of the route it targets: ' +
    'set preflightContinue: true to pass preflights on to an @Options() handler, or @Cors(false) to refuse them',
  strictPreflight:
    'is an @fastify/cors option; here an OPTIONS request without Origin and Access-Control-Request-Method ' +
    'is not a preflight and always goes to your application: remove it',
  hideOptionsRoute: 'is an @fastify/cors option; this module registers no OPTIONS route: remove it',
  logLevel: 'is an @fastify/cors option; write debug: true (module options) to log each refused CORS request',
  delegator:
    'is an @fastify/cors option (options per request); declare per-route policies with @Cors() and named ' +
    'policies, and decide per request with an origin function (origin, request) => boolean',
  cacheControl:
    'is an @fastify/cors option; preflight answers carry no Cache-Control here, browsers keep them for maxAge: remove it',
  hook: 'is an @fastify/cors option; preflights are already answered in the earliest request hook: remove it',
};

/** Common spellings of other CORS libraries for a field that is named differently here. */
const ALIASES: Readonly<Record<string, string>> = {
  origins: 'origin',
  alloworigin: 'origin',
  alloworigins: 'origin',
  allowedorigins: 'origin',
  allowmethods: 'methods',
  allowedmethods: 'methods',
  allowheaders: 'allowedHeaders',
  exposeheaders: 'exposedHeaders',
  allowcredentials: 'credentials',
  maxageseconds: 'maxAge',
};

/** Optimal string alignment distance (Levenshtein with adjacent swaps), case-insensitive. */
function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const rows: number[][] = Array.from({ length: x.length + 1 }, (_, i) => [i, ...new Array<number>(y.length).fill(0)]);
  for (let j = 1; j <= y.length; j++) rows[0][j] = j;
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) {
        rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
      }
    }
  }
  return rows[x.length][y.length];
}

/**
 * What to tell the author of an unknown field `key`: the replacement of a
 * `cors`/`@fastify/cors` option, or the known field it most likely misspells
 * (`orign`, `Origin`, `allowHeaders`, `max_age`); `undefined` when none is close.
 */
export function hintForUnknownField(key: string, known: readonly string[]): string | undefined {
  const migration = MIGRATION_HINTS[key];
  if (migration !== undefined) return migration;
  const squashed = key.toLowerCase().replace(/[-_\s]/g, '');
  const alias = ALIASES[squashed];
  const candidate =
    known.find((name) => name.toLowerCase() === squashed) ??
    (alias !== undefined && known.includes(alias) ? alias : undefined) ??
    closest(key, known);
  return candidate === undefined ? undefined : `did you mean "${candidate}"?`;
}

function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const distance = editDistance(key, name);
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  // Close enough to be a typo: at most 2 edits, and at most a third of the name.
  return best !== undefined && bestDistance <= Math.min(2, Math.floor(best.length / 3)) ? best : undefined;
}
