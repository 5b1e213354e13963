import { inspect } from 'node:util';
import { formatProblem, type PolicyProblem } from './engine/policy-validator.js';

/**
 * Thrown at boot when a CORS policy is invalid. Its message lists every
 * problem found, one line each with where it was declared and the field, so
 * one restart fixes them all:
 *
 * ```
 * Invalid CORS configuration (2 problems):
 *   - module options › orign: is not a CORS policy field; did you mean "origin"?
 *   - UsersController.create › maxAge: 100000 is more than 86400 seconds …
 * ```
 *
 * The same problems are readable by code as {@link problems}. That property
 * is not enumerable and `util.inspect()` (`console.log`, Nest's `Logger`)
 * shows the message, so the list is printed once, readable, never followed
 * by a raw dump of the array.
 */
export class CorsConfigurationError extends Error {
  /** Every problem, in the order found: `{ location, field, message }`. */
  declare readonly problems: readonly PolicyProblem[];

  constructor(problems: readonly PolicyProblem[]) {
    super(
      `Invalid CORS configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((problem) => `  - ${formatProblem(problem)}`).join('\n'),
    );
    Object.defineProperty(this, 'problems', { value: Object.freeze([...problems]), enumerable: false });
    this.name = 'CorsConfigurationError';
  }

  /** `CorsConfigurationError: Invalid CORS configuration (…):` and the list; the stack says nothing about a policy. */
  [inspect.custom](): string {
    return `${this.name}: ${this.message}`;
  }
}
