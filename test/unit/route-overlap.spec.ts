/**
 * RouteOverlapIndex is what lets a route table leave out the routes that
 * answer as the module defaults: it may say "may share" too often, never too
 * rarely. Checked against the routers themselves: whenever a generated
 * request matches a route with a policy of its own and a defaults route
 * (path-to-regexp with Express's options, find-my-way with Fastify's), the
 * index must say they may share it.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import FindMyWay from 'find-my-way';
import { match } from 'path-to-regexp';
import { RouteOverlapIndex } from '../../lib/routing/route-overlap.js';

const patternSegment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('a', 'A', 'b', 'Ab', 'ab', 'x.y', 'a-b') },
  { weight: 3, arbitrary: fc.constantFrom(':id', ':name') },
  { weight: 1, arbitrary: fc.constantFrom('', 'a:b') },
);

function pattern(wildcard: string) {
  return fc
    .tuple(fc.array(patternSegment, { maxLength: 4 }), fc.constantFrom('', '/', `/${wildcard}`))
    .map(([segments, tail]) => `/${segments.join('/')}${tail}`.replace(/^\/\//, '/'));
}

const requestPath = fc
  .tuple(
    fc.array(fc.constantFrom('a', 'b', 'ab', 'AB', 'Ab', 'x.y', 'a-b', '1', '%61', ''), { maxLength: 5 }),
    fc.constantFrom('', '/'),
  )
  .map(([segments, tail]) => `/${segments.join('/')}${tail}`);

/** Literal segments of a pattern in upper or lower case (parameter names kept). */
function recased(route: string, upper: boolean): string {
  return route
    .split('/')
    .map((part) =>
      part.startsWith(':') || part.startsWith('*') ? part : upper ? part.toUpperCase() : part.toLowerCase(),
    )
    .join('/');
}

/** A route spelled again: as is, recased, without its last segment (and with or without the slash before it), or with one more parameter. */
function respelled(route: string, spelling: string): string {
  if (spelling === 'upper' || spelling === 'lower') return recased(route, spelling === 'upper');
  if (spelling === 'shorter') return route.slice(0, Math.max(route.lastIndexOf('/'), 1));
  if (spelling === 'shorter/') return route.slice(0, route.lastIndexOf('/') + 1);
  if (spelling === 'longer') return `${route.replace(/\/$/, '')}/:more`;
  return route;
}

/** Routes of their own policy, and a defaults route: unrelated, or one of them spelled again. */
function routeSets(wildcard: string) {
  return fc.array(pattern(wildcard), { minLength: 1, maxLength: 4 }).chain((own) =>
    fc.tuple(
      fc.constant(own),
      fc.oneof(
        pattern(wildcard),
        fc
          .tuple(fc.constantFrom(...own), fc.constantFrom('same', 'upper', 'lower', 'shorter', 'shorter/', 'longer'))
          .map(([route, spelling]) => respelled(route, spelling)),
      ),
    ),
  );
}

interface Outcome {
  shared: number;
  refused: number;
}

type MatcherOf = (route: string) => ((path: string) => boolean) | undefined;

function check(matchesOf: MatcherOf, own: string[], defaults: string, paths: string[], outcome: Outcome): void {
  const index = new RouteOverlapIndex();
  const matchers = own.map(matchesOf).filter((each) => each !== undefined);
  for (const route of own) index.add(route);
  const matchesDefaults = matchesOf(defaults);
  if (matchesDefaults === undefined) return;
  const mayShare = index.mayShare(defaults);
  if (!mayShare) outcome.refused++;
  for (const path of paths) {
    if (!matchesDefaults(path) || !matchers.some((matches) => matches(path))) continue;
    outcome.shared++;
    expect({ own, defaults, path, mayShare }).toEqual({ own, defaults, path, mayShare: true });
  }
}

/** Generated route sets (with `wildcard` as the router spells a final wildcard) and requests, against one router. */
function assertNeverRefusesShared(matchesOf: MatcherOf, wildcard: string): void {
  const outcome: Outcome = { shared: 0, refused: 0 };
  fc.assert(
    fc.property(routeSets(wildcard), fc.array(requestPath, { minLength: 1, maxLength: 20 }), ([own, defaults], paths) =>
      check(matchesOf, own, defaults, paths, outcome),
    ),
    { numRuns: 1500, seed: 20261202 },
  );
  // Both outcomes are reached often: the check means something either way.
  expect(outcome.shared).toBeGreaterThan(200);
  expect(outcome.refused).toBeGreaterThan(100);
}

describe('RouteOverlapIndex: never "cannot share" where a request matches both', () => {
  it.each([
    [true, false],
    [false, false],
    [false, true],
  ])('against path-to-regexp with Express options (case sensitive %s, strict %s)', (sensitive, strict) => {
    assertNeverRefusesShared((route) => {
      try {
        const matcher = match(route, { sensitive, trailing: !strict, end: true, decode: false });
        return (path) => matcher(path) !== false;
      } catch {
        return undefined; // Express refuses the route too
      }
    }, '*rest');
  });

  it.each([
    [true, false],
    [false, false],
    [false, true],
  ])('against find-my-way (caseSensitive %s, ignoreTrailingSlash %s)', (caseSensitive, ignoreTrailingSlash) => {
    assertNeverRefusesShared((route) => {
      const router = FindMyWay({ caseSensitive, ignoreTrailingSlash });
      try {
        router.on('GET', route, () => undefined);
      } catch {
        return undefined; // Fastify refuses the route too
      }
      return (path) => router.find('GET', path) !== null;
    }, '*');
  });

  it.each([
    ['/users/:id', '/users/me', true],
    ['/users/me', '/users/:id', true],
    ['/users/:id', '/orders/:id', false],
    ['/api/v1/special', '/api/v1/r0/:id', false],
    ['/files', '/files/:name', true],
    ['/files/*', '/files', true],
    ['/a/{:b}', '/x', true],
    ['/A', '/a', true],
    ['/users/Me', '/users/me', true],
    ['/Ab', '/Ab', true],
    ['/a/', '/a', true],
  ])('a route of its own policy at %s, a defaults route at %s: may share %s', (own, defaults, expected) => {
    const index = new RouteOverlapIndex();
    index.add(own);
    expect(index.mayShare(defaults)).toBe(expected);
  });
});
