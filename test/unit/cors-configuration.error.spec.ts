import { inspect } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { CorsConfigurationError } from '../../lib/cors-configuration.error.js';

const PROBLEMS = [
  { location: 'module options', field: 'orign', message: 'is not a CORS policy field; did you mean "origin"?' },
  { location: 'UsersController.create', field: 'maxAge', message: 'too long' },
];

const MESSAGE =
  'Invalid CORS configuration (2 problems):\n' +
  '  - module options › orign: is not a CORS policy field; did you mean "origin"?\n' +
  '  - UsersController.create › maxAge: too long';

describe('CorsConfigurationError', () => {
  it('lists every problem in its message, one line each', () => {
    const error = new CorsConfigurationError(PROBLEMS);
    expect(error.message).toBe(MESSAGE);
    expect(error.name).toBe('CorsConfigurationError');
    expect(error).toBeInstanceOf(Error);
    expect(new CorsConfigurationError([PROBLEMS[1]]).message).toBe(
      'Invalid CORS configuration (1 problem):\n  - UsersController.create › maxAge: too long',
    );
  });

  it('keeps problems readable by code, frozen, but not enumerable (no raw dump after the message)', () => {
    const error = new CorsConfigurationError(PROBLEMS);
    expect(error.problems).toEqual(PROBLEMS);
    expect(Object.isFrozen(error.problems)).toBe(true);
    expect(Object.keys(error)).not.toContain('problems');
    expect(inspect(error, { customInspect: false })).not.toContain('location:');
  });

  it('is shown by util.inspect (console, Nest Logger) as the list, without the stack', () => {
    const error = new CorsConfigurationError(PROBLEMS);
    expect(inspect(error)).toBe(`CorsConfigurationError: ${MESSAGE}`);
    expect(inspect(error)).not.toContain('    at ');
  });

  it('markReported(): once the list was logged, the stack is one line pointing there; message and problems stay', () => {
    const error = new CorsConfigurationError(PROBLEMS);
    expect(error.markReported()).toBe(error);
    expect(error.stack).toBe(
      'CorsConfigurationError: Invalid CORS configuration (2 problems), listed above by CorsModule',
    );
    expect(error.summary).toBe('Invalid CORS configuration (2 problems)');
    expect(error.message).toBe(MESSAGE);
    expect(error.problems).toEqual(PROBLEMS);
    // What Node prints for an unhandled rejection (util.inspect without custom inspectors):
    expect(inspect(error, { customInspect: false })).toBe(
      '[CorsConfigurationError: Invalid CORS configuration (2 problems), listed above by CorsModule]',
    );
  });
});
