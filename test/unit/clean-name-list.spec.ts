import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { cleanNameList } from '../../lib/engine/cors-decision.js';

/** The definition: split at commas, trim spaces and tabs, drop empty items, join with ", ". */
function reference(value: string): string {
  return value
    .split(',')
    .map((name) => name.replace(/^[ \t]+|[ \t]+$/g, ''))
    .filter((name) => name !== '')
    .join(', ');
}

describe('cleanNameList (Access-Control-Allow-Headers from the checked request headers)', () => {
  it.each([
    ['content-type', 'content-type'],
    ['content-type,x-requested-with', 'content-type, x-requested-with'],
    [' a ,\tb,, c ,', 'a, b, c'],
    [',,,', ''],
    ['', ''],
    ['x-a, x-b', 'x-a, x-b'],
    // Near the already-clean form (returned as it is): each must still be cleaned.
    ['x-a, x-b, x-c', 'x-a, x-b, x-c'],
    ['x-a,  x-b', 'x-a, x-b'],
    ['x-a, , x-b', 'x-a, x-b'],
    [' x-a, x-b', 'x-a, x-b'],
    ['x-a, x-b ', 'x-a, x-b'],
    ['x-a, x-b,', 'x-a, x-b'],
    ['x-a, x-b, ', 'x-a, x-b'],
    ['x-a,\tx-b', 'x-a, x-b'],
    ['x a, b', 'x a, b'],
  ])('%j → %j', (value, expected) => {
    expect(cleanNameList(value)).toBe(expected);
  });

  it('equals the definition for any list of names, commas, spaces and tabs', () => {
    const piece = fc.constantFrom('a', 'x-b', 'Content-Type', ',', ' ', '\t', ',,', ', ');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const value = pieces.join('');
        expect(cleanNameList(value)).toBe(reference(value));
      }),
      { numRuns: 2000 },
    );
  });
});
