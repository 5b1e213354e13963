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
    super(`${summarize(problems)}:\n` + problems.map((problem) => `  - ${formatProblem(problem)}`).join('\n'));
    Object.defineProperty(this, 'problems', { value: Object.freeze([...problems]), enumerable: false });
    this.name = 'CorsConfigurationError';
  }

  /** The first line of the message: `Invalid CORS configuration (2 problems)`. */
  get summary(): string {
    return summarize(this.problems);
  }

  /**
   * For the code that has just printed {@link message} (the module logs it
   * through Nest's `Logger`, context `CorsModule`): the stack becomes one
   * line that points there, so the unhandled rejection that then stops the
   * app prints that line instead of the list a second time. `message` and
   * `problems` stay whole. Returns the error, to rethrow.
   */
  markReported(): this {
    Object.defineProperty(this, 'stack', {
      value: `${this.name}: ${this.summary}, listed above by CorsModule`,
      writable: true,
      configurable: true,
      enumerable: false,
    });
    return this;
  }

  /** `CorsConfigurationError: Invalid CORS configuration (…):` and the list; the stack says nothing about a policy. */
  [inspect.custom](): string {
    return `${this.name}: ${this.message}`;
  }
}

function summarize(problems: readonly PolicyProblem[]): string {
  return `Invalid CORS configuration (${problems.length} problem${problems.length === 1 ? '' : 's'})`;
}
