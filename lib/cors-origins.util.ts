import { classifyOriginEntry } from './engine/origin-syntax.js';
import type { CorsOrigin } from './interfaces/cors-policy.interface.js';

/**
 * The exact origins an `origin` field lists (patterns, RegExps, functions,
 * `'*'` and `'null'` left out): what another allow-list that only takes exact
 * origins, such as the `trustedOrigins` of Nest's
 * `app.enableCsrfProtection()`, should hold so that it agrees with CORS.
 */
export function listExactOrigins(origin: CorsOrigin | undefined): string[] {
  if (origin === undefined || typeof origin === 'function') return [];
  const entries = Array.isArray(origin) ? origin : [origin];
  return entries.filter((entry): entry is string => {
    if (typeof entry !== 'string') return false;
    const result = classifyOriginEntry(entry);
    return 'spec' in result && result.spec.kind === 'exact';
  });
}
