import { describe, expect, it } from '@jest/globals';
import { canonicalPath, checkPathPattern, PathPolicyTable } from '../../lib/routing/path-policy-table.js';
import { routeCandidate } from '../../lib/routing/route-candidate.js';
import { compiled } from './helpers.js';

describe('canonicalPath', () => {
  it.each([
    ['/graphql', '/graphql'],
    ['/graphql?query=%7B%7D#x', '/graphql'],
    ['/GraphQL', '/graphql'],
    ['/graph%71l', '/graphql'],
    ['/assets/%70rivate/notes.txt', '/assets/private/notes.txt'],
    ['/assets/private%2Fnotes.txt', '/assets/private/notes.txt'],
    ['/assets//private/notes.txt', '/assets/private/notes.txt'],
    ['/assets/x/../private/./notes.txt', '/assets/private/notes.txt'],
    ['/assets/%2e%2e/private', '/private'],
    ['/../../etc', '/etc'],
    ['/docs/', '/docs/'],
    ['/docs/..', '/'],
    ['/', '/'],
    ['http://api.example.com/graphql?x', '/graphql'],
    ['HTTPS://api.example.com', '/'],
    ['/caf%C3%A9', '/café'],
    ['/bad%E0%A4%A/%41', '/bad%e0%a4%a/a'],
    ['*', '*'],
  ])('%s → %s', (url, path) => {
    expect(canonicalPath(url)).toBe(path);
  });

  it('returns a canonical path itself', () => {
    const path = '/assets/private/notes.txt';
    expect(canonicalPath(path)).toBe(path);
  });
});

describe('PathPolicyTable', () => {
  const policy = compiled({ origin: 'https://app.example.com' });
  const table = new PathPolicyTable();
  const graphql = routeCandidate(policy, 'graphql');
  const assets = routeCandidate(policy, 'assets');
  const privateFiles = routeCandidate(policy, 'private');
  const root = routeCandidate(policy, 'root');
  table.add('/graphql', graphql);
  table.add('/Assets/*', assets);
  table.add('/assets/private/*', privateFiles);

  it.each([
    ['/graphql', 'graphql'],
    ['/graphql/', 'graphql'],
    ['/GRAPHQL?x=1', 'graphql'],
    ['/graph%71l', 'graphql'],
    ['http://h/graphql', 'graphql'],
    ['/assets', 'assets'],
    ['/assets/', 'assets'],
    ['/assets/logo.svg', 'assets'],
    ['/assets/private', 'private'],
    ['/assets/private/notes.txt', 'private'],
    ['/assets/%70rivate/notes.txt', 'private'],
    ['/ASSETS/Private/notes.txt', 'private'],
    ['/assets//private/notes.txt', 'private'],
    ['/assets/x/../private/notes.txt', 'private'],
    ['/assets/private%2Fnotes.txt', 'private'],
  ])('%s follows %s', (url, label) => {
    expect(table.lookup(url)?.label).toBe(label);
  });

  it.each(['/graphql/x', '/graphqlx', '/assetsx/logo.svg', '/', '/other', '/assets/../other'])(
    '%s matches no pattern',
    (url) => {
      expect(table.lookup(url)).toBeUndefined();
    },
  );

  it('lets /* cover every path', () => {
    const all = new PathPolicyTable();
    all.add('/*', root);
    expect(all.lookup('/')?.label).toBe('root');
    expect(all.lookup('/a/b')?.label).toBe('root');
  });

  it('refuses a second pattern with the same canonical spelling and names the first', () => {
    const twice = new PathPolicyTable();
    expect(twice.add('/docs/*', root)).toBeUndefined();
    expect(twice.add('/Docs/*', root)).toBe('/docs/*');
    expect(twice.add('/docs', root)).toBeUndefined();
    expect(twice.size).toBe(2);
  });
});

describe('checkPathPattern', () => {
  it.each([
    ['graphql', 'must start with "/" (the path the browser requests)'],
    ['/graphql?x', 'must be a path only (no query, fragment or spaces)'],
    ['/docs/*/x', 'may use "*" only as a last segment ("/docs/*")'],
    ['/docs*', 'may use "*" only as a last segment ("/docs/*")'],
  ])('%s: %s', (pattern, problem) => {
    expect(checkPathPattern(pattern)).toBe(problem);
  });
  it.each(['/graphql', '/docs/*', '/*', '/caf%C3%A9'])('%s is fine', (pattern) => {
    expect(checkPathPattern(pattern)).toBeUndefined();
  });
});
