import type { CorsPolicy } from '../interfaces/cors-policy.interface.js';

/** Every field a policy may set, in the order reports show them. */
export const POLICY_FIELDS = [
  'origin',
  'methods',
  'allowedHeaders',
  'exposedHeaders',
  'credentials',
  'maxAge',
  'optionsSuccessStatus',
  'preflightContinue',
  'allowPrivateNetwork',
  'rejectDisallowedOrigins',
  'rejectMissingOrigin',
  'dangerouslyAllowInsecureOriginsWithCredentials',
] as const satisfies readonly (keyof CorsPolicy)[];

export type PolicyField = (typeof POLICY_FIELDS)[number];

export const POLICY_FIELD_SET: ReadonlySet<string> = new Set(POLICY_FIELDS);

/** `'a, b'` or `['a', 'b']` as a list of trimmed, non-empty names. */
export function toNameList(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) {
    return [];
  }
  const items = typeof value === 'string' ? value.split(',') : value;
  return items.map((item) => (typeof item === 'string' ? item.trim() : item)).filter((item) => item !== '');
}
