import type { CorsPolicy } from '../interfaces/cors-policy.interface.js';
import { POLICY_FIELDS, type PolicyField } from './policy-fields.js';

/** The fields one level declares, and where (`module options`, `policy "x"`, `UsersController`, …). */
export interface PolicyLayer {
  readonly label: string;
  readonly fields: CorsPolicy;
}

/** A policy after merging, with the level that set each field. */
export interface MergedPolicy {
  readonly fields: Readonly<CorsPolicy>;
  readonly sources: Readonly<Partial<Record<PolicyField, string>>>;
  /** Position of each field's level in the layer list: higher is more specific. */
  readonly ranks: Readonly<Partial<Record<PolicyField, number>>>;
}

/**
 * Merges layers from least to most specific, field by field: a field set at a
 * more specific level replaces the less specific value whole (lists are
 * replaced, never united, so a route can only narrow what it sets).
 */
export function mergePolicyLayers(layers: readonly PolicyLayer[]): MergedPolicy {
  const fields: Record<string, unknown> = {};
  const sources: Partial<Record<PolicyField, string>> = {};
  const ranks: Partial<Record<PolicyField, number>> = {};
  layers.forEach((layer, rank) => {
    for (const field of POLICY_FIELDS) {
      const value = layer.fields[field];
      if (value !== undefined) {
        fields[field] = value;
        sources[field] = layer.label;
        ranks[field] = rank;
      }
    }
  });
  return { fields: fields as CorsPolicy, sources, ranks };
}
