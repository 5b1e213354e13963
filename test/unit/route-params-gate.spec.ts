/**
 * The gates of route paths against the installed Nest adapter's own
 * decision: `routeParamsMatchers()` skips the adapter's (costly) matcher for
 * the paths its cheap test clears, so that test must clear no path the
 * adapter makes a matcher for, whatever the spelling. Fails loudly if the
 * adapter's private methods change name or shape.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import fc from 'fast-check';
import { emptyParamsFindNoHandler, gateOf, routeParamsMatchers } from '../../lib/routing/route-params-gate.js';

/** The adapter's own decision, through the private method the module calls. */
interface AdapterInternals {
  createRouteParamsMatcher(path: string): ((request: unknown) => boolean) | undefined;
}

const segment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('a', 'items', 'x.y', 'a-b', 'a,b', 'caf\u00e9', '', 'v1') },
  {
    weight: 5,
    arbitrary: fc.constantFrom(
      ':id',
      ':name',
      ':id.json',
      ':a-:b',
      ':lat,:lng',
      ':x:y',
      ':_id',
      ':$n',
      ':n2',
      ':2n',
      ':caf\u00e9',
      ':\u00e9t\u00e9',
      ':id\u20ac',
      ':"quoted"',
      ':id(^\\d+)',
      ':opt?',
      ':path',
      ':path5',
      '::colon',
      'a::b',
      ':',
    ),
  },
  { weight: 2, arbitrary: fc.constantFrom('*', '*path', '{*path}', '+', '(.*)', '{:opt}', 'a!', '[x]', 'a\\:b') },
);
const routePath = fc
  .tuple(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.constantFrom('', '/'))
  .map(([segments, tail]) => `/${segments.join('/')}${tail}`);

describe('route params gates (the installed @nestjs/platform-fastify)', () => {
  const adapter = new FastifyAdapter();
  const internals = adapter as unknown as AdapterInternals;
  // The adapter warns about paths it misreads, every time it makes their matcher.
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(true));

  it('reads the adapter: it gates empty parameters and gives some paths a matcher', () => {
    expect(emptyParamsFindNoHandler(adapter)).toBe(true);
    expect(typeof internals.createRouteParamsMatcher).toBe('function');
    expect(typeof internals.createRouteParamsMatcher('/projects/:id/tasks/:id')).toBe('function');
    expect(internals.createRouteParamsMatcher('/projects/:id/tasks/:taskId')).toBeUndefined();
  });

  it('gives a path a matcher exactly when the adapter makes one', () => {
    const matchers = routeParamsMatchers(adapter)!;
    let withMatcher = 0;
    fc.assert(
      fc.property(routePath, (path) => {
        const expected = internals.createRouteParamsMatcher(path) !== undefined;
        if (expected) withMatcher++;
        expect({ path, matcher: matchers(path) !== undefined }).toEqual({ path, matcher: expected });
      }),
      {
        numRuns: 5000,
        seed: 20261203,
        // Names the adapter's path conversion gives wildcards: `+` and `(.*)` at the end become `*path`, `{*path}`.
        examples: [['/:path/+'], ['/:path/(.*)'], ['/*path/:path'], ['/:path/*']],
      },
    );
    expect(withMatcher).toBeGreaterThan(300);
  });

  it('admits the requests the adapter admits, with the matcher it made', () => {
    const matcher = routeParamsMatchers(adapter)!('/projects/:id/tasks/:id')!;
    const request = (url: string) => ({ raw: { url } });
    expect(matcher(request('/projects/1/tasks/2'))).toBe(true);
    expect(matcher(request('/projects//tasks/2'))).toBe(false);
    const misread = routeParamsMatchers(adapter)!('/geo/:lat,:lng')!;
    expect([misread(request('/geo/1,2')), misread(request('/geo/12')), misread(request('/geo/,2'))]).toEqual([
      true,
      false,
      false,
    ]);
  });

  it('gates a route by the adapter it runs on', () => {
    const matchers = routeParamsMatchers(adapter);
    expect(gateOf('/items', true, matchers)).toBe(false);
    expect(gateOf('/items/:id', true, matchers)).toBe(true);
    expect(typeof gateOf('/projects/:id/tasks/:id', true, matchers)).toBe('function');
    // Before 12.5: no matchers; before 11.2.8 and 12.2: no gate at all.
    expect(gateOf('/projects/:id/tasks/:id', true, undefined)).toBe(true);
    expect(gateOf('/projects/:id/tasks/:id', false, undefined)).toBe(false);
    expect(routeParamsMatchers({})).toBeUndefined();
    expect(routeParamsMatchers({ requireNonEmptyParams() {} })).toBeUndefined();
  });
});
