import type { PolicyProblem } from './engine/policy-validator.js';

/**
 * Thrown at boot when a CORS policy is invalid. Lists every problem found,
 * each with where it was declared and the field, so one restart fixes them all.
 */
export class CorsConfigurationError extends Error {
  constructor(readonly problems: readonly PolicyProblem[]) {
    super(
      `Invalid CORS configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.location} › ${p.field}: ${p.message}`).join('\n'),
    );
    this.name = 'CorsConfigurationError';
  }
}
