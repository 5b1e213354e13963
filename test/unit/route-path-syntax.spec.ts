import { describe, expect, it } from '@jest/globals';
import { expressPathToRadixPaths } from '../../lib/routing/route-path-syntax.js';

describe('expressPathToRadixPaths', () => {
  it.each([
    ['/', ['/']],
    ['/users', ['/users']],
    ['/a/:id', ['/a/:id']],
    ['/users/:userId/posts/:postId', ['/users/:userId/posts/:postId']],
    ['/files/*path', ['/files/*']],
    ['/{*splat}', ['/', '/*']],
    ['/x{/:opt}/y', ['/x/y', '/x/:opt/y']],
    ['/a{/:b}{/:c}', ['/a', '/a/:c', '/a/:b', '/a/:b/:c']],
    ['/a\\:b', ['/a::b']],
    ['/a/:id.json', ['/a/:id.json']],
    ['', ['/']],
  ])('%j becomes %j', (path, expected) => {
    expect(expressPathToRadixPaths(path)).toEqual(expected);
  });

  it('ends the path at a wildcard, dropping what follows', () => {
    expect(expressPathToRadixPaths('/files/*path/edit')).toEqual(['/files/*']);
    expect(expressPathToRadixPaths('/files/*path/:id')).toEqual(['/files/*']);
  });

  it('keeps only distinct variants', () => {
    expect(expressPathToRadixPaths('{/}')).toEqual(['/']);
  });

  it.each(['/:', '/a/:', '/a(b)', '/a{b', '/a/*'])('returns [] for the invalid path %j', (path) => {
    expect(expressPathToRadixPaths(path)).toEqual([]);
  });
});
