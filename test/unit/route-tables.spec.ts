import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import { disabledPolicy } from '../../lib/engine/compiled-policy.js';
import {
  ExpressRouteTable,
  parsedPatternSegments,
  patternSegments,
  type ExpressMatching,
} from '../../lib/routing/express-route-table.js';
import {
  FastifyRouteTable,
  readFastifyRouterOptions,
  type RouteCondition,
} from '../../lib/routing/fastify-route-table.js';
import { checkPathPattern, PathPolicyTable } from '../../lib/routing/path-policy-table.js';
import { routeCandidate, type RouteCandidate } from '../../lib/routing/route-candidate.js';

const route = (label: string, options: { conditional?: boolean; hosts?: RegExp[] } = {}): RouteCandidate =>
  routeCandidate(disabledPolicy(label), label, options);

function req(url: string, method = 'GET', host = 'example.com'): IncomingMessage {
  return { url, method, headers: { host } } as IncomingMessage;
}

const DEFAULTS: ExpressMatching = { caseSensitive: false, strict: false };

function express(routes: Array<[string, string, RouteCandidate]>, matching = DEFAULTS): ExpressRouteTable {
  const table = new ExpressRouteTable(matching);
  for (const [method, path, candidate] of routes) table.add(method, path, candidate);
  return table;
}

const labels = (found: readonly RouteCandidate[]) => found.map((candidate) => candidate.label);

describe('ExpressRouteTable: the handler Express 5 runs', () => {
  it('takes the first declared route, not the most specific one', () => {
    const table = express([
      ['get', '/users/:id', route('byId')],
      ['get', '/users/me', route('me')],
    ]);
    expect(labels(table.lookup(req('/users/me')))).toEqual(['byId']);
    const reversed = express([
      ['get', '/users/me', route('me')],
      ['get', '/users/:id', route('byId')],
    ]);
    expect(labels(reversed.lookup(req('/users/me')))).toEqual(['me']);
  });

  it('matches the raw path: an encoded letter is not the literal', () => {
    const table = express([
      ['get', '/docs/public', route('public')],
      ['get', '/docs/:slug', route('slug')],
    ]);
    expect(labels(table.lookup(req('/docs/%70ublic')))).toEqual(['slug']);
    expect(labels(table.lookup(req('/docs/public')))).toEqual(['public']);
  });

  it('keeps text after a wildcard apart from the wildcard alone', () => {
    const table = express([
      ['get', '/files/*path/meta', route('meta')],
      ['get', '/files/*path', route('any')],
    ]);
    expect(labels(table.lookup(req('/files/a/b/meta')))).toEqual(['meta']);
    expect(labels(table.lookup(req('/files/a/b')))).toEqual(['any']);
    expect(labels(table.lookup(req('/files')))).toEqual([]);
  });

  it('expands optional groups', () => {
    const table = express([['get', '/opt{/:x}', route('opt')]]);
    expect(labels(table.lookup(req('/opt')))).toEqual(['opt']);
    expect(labels(table.lookup(req('/opt/1')))).toEqual(['opt']);
    expect(labels(table.lookup(req('/opt/1/2')))).toEqual([]);
  });

  it('sends HEAD to the first route that handles GET, and @All() takes every method', () => {
    const table = express([
      ['get', '/a', route('get')],
      ['head', '/a', route('head')],
      ['all', '/b', route('all')],
      ['post', '/b', route('post')],
    ]);
    expect(labels(table.lookup(req('/a', 'HEAD')))).toEqual(['get']);
    expect(labels(table.lookup(req('/b', 'DELETE')))).toEqual(['all']);
    expect(labels(table.lookup(req('/b', 'POST')))).toEqual(['all']);
    expect(labels(table.lookup(req('/a', 'POST')))).toEqual([]);
  });

  it('follows the case-sensitivity and strict-routing settings', () => {
    const loose = express([['get', '/Case', route('case')]]);
    expect(labels(loose.lookup(req('/case/')))).toEqual(['case']);
    const strict = express([['get', '/Case', route('case')]], { caseSensitive: true, strict: true });
    expect(labels(strict.lookup(req('/case')))).toEqual([]);
    expect(labels(strict.lookup(req('/Case/')))).toEqual([]);
    expect(labels(strict.lookup(req('/Case')))).toEqual(['case']);
  });

  it("reads a pattern's trailing slashes as Express's router does: taken off without strict routing", () => {
    // Nest registers `@Get('end//')` as `/slash/end/`; Express's router then matches `/slash/end` too.
    const routes: Array<[string, string, RouteCandidate]> = [
      ['get', '/slash/end/', route('end')],
      ['get', '/slash/:id//', route('param')],
      ['get', '//', route('root')],
    ];
    const loose = express(routes);
    for (const [url, expected] of [
      ['/slash/end', 'end'],
      ['/slash/end/', 'end'],
      ['/slash/7', 'param'],
      ['/slash/7/', 'param'],
      ['/', 'root'],
    ]) {
      expect([url, labels(loose.lookup(req(url)))]).toEqual([url, [expected]]);
    }
    expect(labels(loose.lookup(req('/slash/7//')))).toEqual([]);
    const strict = express(routes, { caseSensitive: false, strict: true });
    expect(labels(strict.lookup(req('/slash/end')))).toEqual([]);
    expect(labels(strict.lookup(req('/slash/end/')))).toEqual(['end']);
    expect(labels(strict.lookup(req('/slash/7//')))).toEqual(['param']);
  });

  it('reads the pathname as Express does (parseurl): absolute-form targets, queries, fragments', () => {
    const table = express([['get', '/a/b', route('ab')]]);
    for (const url of ['http://example.com/a/b', '/a/b?x=1', '/a/b#f']) {
      expect(labels(table.lookup(req(url)))).toEqual(['ab']);
    }
    // parseurl's fast path keeps a backslash: Express does not serve /a\b from /a/b.
    expect(labels(table.lookup(req('/a\\b')))).toEqual([]);
  });

  it('returns every route that decides at run time, up to the first that always serves', () => {
    const table = express([
      ['get', '/v', route('v1', { conditional: true })],
      ['get', '/v', route('v2', { conditional: true })],
      ['get', '/v', route('plain')],
      ['get', '/v', route('never')],
    ]);
    expect(labels(table.lookup(req('/v')))).toEqual(['v1', 'v2', 'plain']);
  });

  it('skips host-bound routes for other hosts', () => {
    const table = express([
      ['get', '/h', route('admin', { hosts: [/^admin\.example\.com$/] })],
      ['get', '/h', route('public')],
    ]);
    expect(labels(table.lookup(req('/h', 'GET', 'admin.example.com:8080')))).toEqual(['admin']);
    expect(labels(table.lookup(req('/h', 'GET', 'www.example.com')))).toEqual(['public']);
  });

  it('ignores methods Node cannot parse (a lowercase preflight method never reaches a route)', () => {
    const table = express([['all', '/x', route('all')]]);
    expect(labels(table.lookup(req('/x'), 'patch'))).toEqual([]);
    expect(labels(table.lookup(req('/x'), 'PATCH'))).toEqual(['all']);
  });

  it('reads every shape of pathname segment by segment: the root, empty segments, no leading slash', () => {
    const table = express([
      ['get', '/', route('root')],
      ['get', '/:a', route('one')],
      ['get', '/:a/:b', route('two')],
      ['get', '/*rest', route('rest')],
    ]);
    expect(labels(table.lookup(req('/')))).toEqual(['root']);
    expect(labels(table.lookup(req('/x')))).toEqual(['one']);
    expect(labels(table.lookup(req('/x/')))).toEqual(['one']);
    expect(labels(table.lookup(req('/x/y')))).toEqual(['two']);
    // An empty segment is no parameter: Express hands `/x//y` to the wildcard, and `//` to `/` (declared first),
    // whose matcher allows the trailing slash (both checked against Express 5 on a socket).
    expect(labels(table.lookup(req('/x//y')))).toEqual(['rest']);
    expect(labels(table.lookup(req('//')))).toEqual(['root']);
    // `OPTIONS *` (and any target that is not a path) matches no route.
    expect(labels(table.lookup(req('*', 'OPTIONS')))).toEqual([]);
  });

  it('answers each lookup on its own: nothing found before carries over, in or out of declaration order', () => {
    const table = express([
      ['get', '/users/:id', route('byId')],
      ['get', '/users/me', route('me')],
      ['get', '/h', route('admin', { hosts: [/^admin\.example\.com$/] })],
    ]);
    // The trie reaches `me` (a literal) before `:id`: the declaration order decides.
    expect(labels(table.lookup(req('/users/me')))).toEqual(['byId']);
    expect(labels(table.lookup(req('/nothing')))).toEqual([]);
    expect(labels(table.lookup(req('/h', 'GET', 'www.example.com')))).toEqual([]);
    expect(labels(table.lookup(req('/h', 'GET', 'admin.example.com')))).toEqual(['admin']);
    expect(labels(table.lookup(req('/users/7')))).toEqual(['byId']);
  });

  it('stays cheap for 1,000 routes sharing a prefix (a handful of candidates per lookup)', () => {
    const table = new ExpressRouteTable(DEFAULTS);
    for (let i = 0; i < 1000; i++) table.add('get', `/api/v1/r${i}/:id`, route(`r${i}`));
    expect(labels(table.lookup(req('/api/v1/r999/7')))).toEqual(['r999']);
    expect(table.routeCount).toBe(1000);
  });
});

describe('ExpressRouteTable: route patterns read without the parser', () => {
  const PLAIN = [
    '',
    '/',
    '/api/v1/r12',
    '/api/v1/r12/',
    '/api/v1/r12/:id/items/:itemId',
    '/API/V2/Users/:userId',
    '/a//b',
    '/files/report.v2.json',
    '/caf%C3%A9/~me/_x-y',
    '/:$weird_name1/:a',
  ];
  const NOT_PLAIN = ['/files/*path', '/items{/:id}', '/:id.json', '/a/:b-:c', '/café', '/a/(x)', '/a\\:b', '/a/:'];

  it.each(PLAIN)('reads %j as path-to-regexp parses it, whatever the case sensitivity', (path) => {
    for (const caseSensitive of [true, false]) {
      expect(patternSegments(path, caseSensitive)).toEqual(parsedPatternSegments(path, caseSensitive));
    }
  });

  it.each(NOT_PLAIN)('leaves %j to the parser', (path) => {
    for (const caseSensitive of [true, false]) {
      expect(patternSegments(path, caseSensitive)).toEqual(parsedPatternSegments(path, caseSensitive));
    }
  });

  it('refuses what path-to-regexp refuses', () => {
    expect(patternSegments('/a/:', false)).toBeUndefined();
    expect(patternSegments('/a/{b', false)).toBeUndefined();
  });

  it('finds routes added from plain and parsed patterns alike, in declaration order', () => {
    const table = express([
      ['get', '/items/:id.json', route('json')],
      ['get', '/ITEMS/mine', route('mine')],
      ['get', '/items/:id', route('one')],
    ]);
    expect(labels(table.lookup(req('/items/7.json')))).toEqual(['json']);
    expect(labels(table.lookup(req('/items/7')))).toEqual(['one']);
    expect(labels(table.lookup(req('/items/MINE')))).toEqual(['mine']);
    expect(labels(table.lookup(req('/items/mine.json')))).toEqual(['json']);
  });
});

describe('FastifyRouteTable: the route Fastify matches, with its router options', () => {
  it('reads routerOptions first, then the deprecated top-level keys', () => {
    expect(
      readFastifyRouterOptions({ maxParamLength: 100, routerOptions: { maxParamLength: 50, caseSensitive: false } }),
    ).toEqual({ maxParamLength: 50, caseSensitive: false });
    expect(readFastifyRouterOptions({ ignoreTrailingSlash: true })).toEqual({ ignoreTrailingSlash: true });
  });

  it('matches with those options and puts routes that differ by constraints in one slot', () => {
    const table = new FastifyRouteTable({ maxParamLength: 5, caseSensitive: false });
    const a = route('a');
    const b = route('b');
    table.add('GET', '/items/:id', a);
    table.add('GET', '/items/:id', b);
    expect(labels(table.lookup('GET', '/ITEMS/12345'))).toEqual(['a', 'b']);
    expect(labels(table.lookup('GET', '/items/123456'))).toEqual([]);
    expect(labels(table.lookup('POST', '/items/1'))).toEqual([]);
  });

  it('answers HEAD from GET when Fastify exposes HEAD routes, and only then', () => {
    const exposed = new FastifyRouteTable({}, true);
    exposed.add('GET', '/a', route('get'));
    expect(labels(exposed.lookup('HEAD', '/a'))).toEqual(['get']);
    const hidden = new FastifyRouteTable({}, false);
    hidden.add('GET', '/a', route('get'));
    expect(labels(hidden.lookup('HEAD', '/a'))).toEqual([]);
    exposed.add('HEAD', '/b', route('head'));
    exposed.add('GET', '/b', route('getB'));
    expect(labels(exposed.lookup('HEAD', '/b'))).toEqual(['head']);
  });
});

describe('FastifyRouteTable: routes the preflight trie cannot hold', () => {
  it('holds Nest-shaped routes in the trie', () => {
    const table = new FastifyRouteTable({});
    table.add('GET', '/items/:id', route('one'));
    table.add('GET', '/files/*', route('files'));
    expect(table.usesFindMyWay).toBe(false);
    expect(labels(table.lookup('GET', '/items/7'))).toEqual(['one']);
    expect(labels(table.lookup('GET', '/files/a/b.png'))).toEqual(['files']);
  });

  it('keeps no list of the routes added once sealed (Nest registered its last route), and still finds each', () => {
    const table = new FastifyRouteTable({});
    table.add('GET', '/items/:id', route('one'));
    table.add('PUT', '/items/:id', route('put'));
    // The list that feeds find-my-way should a route of another shape come: boot-time only.
    const held = () => (table as unknown as { added?: readonly unknown[] }).added;
    expect(held()).toHaveLength(2);
    table.seal();
    expect(held()).toBeUndefined();
    expect(labels(table.lookup('GET', '/items/7'))).toEqual(['one']);
    expect(labels(table.lookup('PUT', '/items/7'))).toEqual(['put']);
  });

  it('switches to find-my-way with every route once one has another shape, and still finds each', () => {
    const table = new FastifyRouteTable({});
    table.add('GET', '/items/:id', route('one'));
    table.add('GET', '/items/:id(^\\d+$)', route('numeric'));
    table.add('GET', '/items/me', route('me'));
    expect(table.usesFindMyWay).toBe(true);
    // find-my-way: a regex parameter is tried before a plain one, a literal before both.
    expect(labels(table.lookup('GET', '/items/42'))).toEqual(['numeric']);
    expect(labels(table.lookup('GET', '/items/abc'))).toEqual(['one']);
    expect(labels(table.lookup('GET', '/items/me'))).toEqual(['me']);
  });

  it('keeps every handler of one route in find-my-way too, in order and once each (routes that differ by constraints)', () => {
    const table = new FastifyRouteTable({});
    const [v1, v2] = [route('v1'), route('v2')];
    table.add('GET', '/items/:id', v1);
    table.add('GET', '/files/:name(^\\d+$)', route('numeric'));
    table.add('GET', '/items/:id', v2);
    table.add('GET', '/items/:id', v1);
    expect(table.usesFindMyWay).toBe(true);
    expect(labels(table.lookup('GET', '/items/7'))).toEqual(['v1', 'v2']);
  });

  it.each([
    ['trie', '/items/:id'],
    ['find-my-way', '/items/:id(^\\d+$)'],
  ])(
    'with emptyParamsFindNoHandler, finds no handler for a route reached through an empty parameter (%s)',
    (_holder, pattern) => {
      for (const [emptyParamsFindNoHandler, expected] of [
        [true, []],
        [false, ['tags']],
      ] as const) {
        const table = new FastifyRouteTable({}, false, emptyParamsFindNoHandler);
        table.add('GET', pattern, route('one'));
        table.add('GET', '/items/:id/tags', route('tags'));
        table.add('GET', '/files/*', route('files'));
        expect(table.usesFindMyWay).toBe(pattern.includes('('));
        expect(labels(table.lookup('GET', '/items//tags'))).toEqual(expected);
        expect(labels(table.lookup('GET', '/items/7/tags'))).toEqual(['tags']);
        // The wildcard may be empty: Nest's adapter serves it.
        expect(labels(table.lookup('GET', '/files/'))).toEqual(['files']);
      }
    },
  );

  it('takes a wildcard followed by a slash where ignoreTrailingSlash lets Fastify take it', () => {
    // find-my-way's findRoute() refuses `/files/*/` as written; on() takes it without its trailing slash.
    const table = new FastifyRouteTable({ ignoreTrailingSlash: true });
    table.add('GET', '/items/:id(^\\d+$)', route('numeric'));
    table.add('GET', '/files/*/', route('files'));
    table.add('GET', '/files/*/', route('again'));
    expect(table.usesFindMyWay).toBe(true);
    expect(labels(table.lookup('GET', '/files/a/b'))).toEqual(['files', 'again']);
  });

  it.each([
    ['duplicate and trailing slashes', { ignoreDuplicateSlashes: true, ignoreTrailingSlash: true }, '/a//:id(^\\d+$)/'],
    ['an optional parameter', {}, '/a/:id?'],
  ])(
    'keeps every handler of one route in find-my-way, spelled with %s as find-my-way reads it',
    (_spelling, options, again) => {
      const table = new FastifyRouteTable(options);
      const written = again.includes('?') ? '/a/:id?' : '/a/:id(^\\d+$)';
      table.add('GET', written, route('v1'));
      table.add('GET', again, route('v2'));
      expect(table.usesFindMyWay).toBe(true);
      expect(labels(table.lookup('GET', '/a/7'))).toEqual(['v1', 'v2']);
      if (again.includes('?')) expect(labels(table.lookup('GET', '/a'))).toEqual(['v1', 'v2']);
    },
  );
});

describe('FastifyRouteTable: routes with constraints (@RouteConstraints(), versions), in the trie and in find-my-way', () => {
  const HOST_BOUND: RouteCondition = { constraints: { count: 1, host: 'admin.example', untold: false } };
  const VERSIONED: RouteCondition = { constraints: { count: 1, untold: true } };
  /** A preflight's request object as the table reads it: only its Host. */
  const from = (host: string) => ({ headers: { host } });
  /** A table whose last route is of a shape the trie holds, or one that makes it use find-my-way. */
  function table(holder: string, routes: Array<[string, RouteCandidate, RouteCondition?]>): FastifyRouteTable {
    const built = new FastifyRouteTable({});
    for (const [path, candidate, condition] of routes) built.add('GET', path, candidate, condition);
    built.add('GET', holder === 'trie' ? '/files/:name' : '/files/:name(^\\d+$)', route('files'));
    expect(built.usesFindMyWay).toBe(holder !== 'trie');
    return built;
  }

  it.each(['trie', 'find-my-way'])(
    'judges a host-bound handler and the unbound one of its pattern by the Host, in either order (%s)',
    (holder) => {
      const [admin, open] = [route('admin'), route('open')];
      for (const routes of [
        [
          ['/x', admin, HOST_BOUND],
          ['/x', open],
        ],
        [
          ['/x', open],
          ['/x', admin, HOST_BOUND],
        ],
      ] as Array<Array<[string, RouteCandidate, RouteCondition?]>>) {
        const built = table(holder, [...routes, ['/:id', route('byId')]]);
        expect(labels(built.lookup('GET', '/x', from('admin.example')))).toEqual(['admin']);
        expect(labels(built.lookup('GET', '/x', from('api.example')))).toEqual(['open']);
      }
    },
  );

  it.each(['trie', 'find-my-way'])(
    'goes on past a pattern whose handlers all have a version, up to one without (%s)',
    (holder) => {
      const built = table(holder, [
        ['/reports/latest', route('v1'), VERSIONED],
        ['/reports/:id', route('byId')],
      ]);
      expect(labels(built.lookup('GET', '/reports/latest', from('api.example')))).toEqual(['v1', 'byId']);
      expect(labels(built.lookup('GET', '/reports/7', from('api.example')))).toEqual(['byId']);
    },
  );

  it.each(['trie', 'find-my-way'])(
    'ends at a pattern where one candidate serves with a version and without (handlers that answer alike) (%s)',
    (holder) => {
      const alike = route('alike');
      const built = table(holder, [
        ['/reports/latest', alike, VERSIONED],
        ['/reports/latest', alike],
        ['/reports/:id', route('byId')],
      ]);
      expect(labels(built.lookup('GET', '/reports/latest', from('api.example')))).toEqual(['alike']);
    },
  );
});

describe('PathPolicyTable: the paths option', () => {
  const table = new PathPolicyTable();
  table.add('/graphql', route('graphql'));
  table.add('/docs/*', route('docs'));
  table.add('/docs/private/*', route('private'));

  it('matches exact paths and prefixes (the prefix itself too), longest first', () => {
    expect(table.lookup('/graphql?query=1')?.label).toBe('graphql');
    expect(table.lookup('/graphql/x')).toBeUndefined();
    expect(table.lookup('/docs')?.label).toBe('docs');
    expect(table.lookup('/docs/a/b')?.label).toBe('docs');
    expect(table.lookup('/docs/private/x')?.label).toBe('private');
    expect(table.lookup('/docsx')).toBeUndefined();
    expect(table.lookup('/')).toBeUndefined();
  });

  it('refuses patterns that are not request paths', () => {
    expect(checkPathPattern('graphql')).toMatch(/must start with "\/"/);
    expect(checkPathPattern('/a/*/b')).toMatch(/only as a last segment/);
    expect(checkPathPattern('/a*')).toMatch(/only as a last segment/);
    expect(checkPathPattern('/a?x=1')).toMatch(/path only/);
    expect(checkPathPattern('/assets/*')).toBeUndefined();
  });
});
