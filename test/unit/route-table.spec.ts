import { describe, expect, it } from '@jest/globals';
import { METHODS } from 'node:http';
import { compilePolicy, type CompiledPolicy } from '../../lib/engine/compiled-policy.js';
import {
  compileHostPatterns,
  RouteTable,
  type RouteMatchingOptions,
  type RoutePathSyntax,
} from '../../lib/routing/route-table.js';
import { merged } from './helpers.js';

function policy(label: string): CompiledPolicy {
  return compilePolicy(merged(['module options', { origin: `https://${label.toLowerCase()}.example.com` }]), label);
}

const A = policy('A');
const B = policy('B');
const C = policy('C');
const D = policy('D');

const EXPRESS: RouteMatchingOptions = { caseSensitive: false, ignoreTrailingSlash: true };
const FASTIFY: RouteMatchingOptions = { caseSensitive: true, ignoreTrailingSlash: false };

interface Adapter {
  readonly name: string;
  readonly options: RouteMatchingOptions;
  readonly syntax: RoutePathSyntax;
  /** The same route written in the adapter's syntax. */
  readonly paths: { readonly param: string; readonly otherParam: string; readonly wildcard: string };
}

const ADAPTERS: Adapter[] = [
  {
    name: 'express (path-to-regexp)',
    options: EXPRESS,
    syntax: 'path-to-regexp',
    paths: { param: '/users/:id', otherParam: '/users/:userId', wildcard: '/files/*path' },
  },
  {
    name: 'fastify (find-my-way)',
    options: FASTIFY,
    syntax: 'find-my-way',
    paths: { param: '/users/:id', otherParam: '/users/:userId', wildcard: '/files/*' },
  },
];

describe.each(ADAPTERS)('RouteTable, $name', ({ options, syntax, paths }) => {
  function table(build: (t: RouteTable) => void): RouteTable {
    const t = new RouteTable(options, syntax);
    build(t);
    t.build();
    return t;
  }

  it('prefers a static route over a parametric one', () => {
    const t = table((x) => {
      x.add('GET', paths.param, { policy: A });
      x.add('GET', '/users/me', { policy: B });
      x.add('GET', '/users', { policy: C });
    });
    expect(t.resolve('GET', '/users/me', undefined)).toBe(B);
    expect(t.resolve('GET', '/users/42', undefined)).toBe(A);
    expect(t.resolve('GET', '/users', undefined)).toBe(C);
    expect(t.resolve('GET', '/users/42/posts', undefined)).toBeUndefined();
  });

  it('matches a wildcard route for any rest of the path', () => {
    const t = table((x) => x.add('GET', paths.wildcard, { policy: A }));
    expect(t.resolve('GET', '/files/a', undefined)).toBe(A);
    expect(t.resolve('GET', '/files/a/b/c.txt', undefined)).toBe(A);
  });

  it('answers HEAD with the GET route, unless HEAD has its own', () => {
    const t = table((x) => {
      x.add('GET', '/a', { policy: A });
      x.add('GET', '/b', { policy: A });
      x.add('HEAD', '/b', { policy: B });
    });
    expect(t.resolve('HEAD', '/a', undefined)).toBe(A);
    expect(t.resolve('HEAD', '/b', undefined)).toBe(B);
    expect(t.resolve('GET', '/b', undefined)).toBe(A);
  });

  it('keeps methods apart', () => {
    const t = table((x) => {
      x.add('GET', paths.param, { policy: A });
      x.add('DELETE', paths.param, { policy: B });
    });
    expect(t.resolve('GET', '/users/1', undefined)).toBe(A);
    expect(t.resolve('DELETE', '/users/1', undefined)).toBe(B);
    expect(t.resolve('POST', '/users/1', undefined)).toBeUndefined();
    expect(t.resolve('HEAD', '/users/1', undefined)).toBe(A);
  });

  it('ALL registers every method but CONNECT and TRACE', () => {
    const t = table((x) => x.add('ALL', '/any', { policy: A }));
    for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND', 'SEARCH']) {
      expect(t.resolve(method, '/any', undefined)).toBe(A);
    }
    expect(t.routeCount).toBe(METHODS.length - 2);
  });

  it('ALL and a specific method on the same path share the slot', () => {
    const t = table((x) => {
      x.add('ALL', '/any', { policy: A });
      x.add('POST', '/any', { policy: B });
    });
    expect(t.resolve('GET', '/any', undefined)).toBe(A);
    expect(t.resolveAll('POST', '/any', undefined)).toEqual([A, B]);
  });

  it('ignores the query string', () => {
    const t = table((x) => x.add('GET', paths.param, { policy: A }));
    expect(t.resolve('GET', '/users/1?expand=posts&x=/y', undefined)).toBe(A);
    expect(t.resolveAll('GET', '/users/1?x', undefined)).toEqual([A]);
  });

  it('returns undefined for an unknown path or method', () => {
    const t = table((x) => x.add('GET', '/users', { policy: A }));
    expect(t.resolve('GET', '/nothing', undefined)).toBeUndefined();
    expect(t.resolveAll('GET', '/nothing', undefined)).toBeUndefined();
    expect(t.resolve('PUT', '/users', undefined)).toBeUndefined();
    expect(t.resolveAll('PUT', '/users', undefined)).toBeUndefined();
  });

  it('shares one slot between routes of the same shape with different parameter names', () => {
    const t = table((x) => {
      x.add('GET', paths.param, { policy: A });
      x.add('GET', paths.otherParam, { policy: B });
    });
    expect(t.routeCount).toBe(1); // one slot for both shapes
    expect(t.resolve('GET', '/users/7', undefined)).toBe(A);
    expect(t.resolveAll('GET', '/users/7', undefined)).toEqual([A, B]);
    expect(t.resolveAll('HEAD', '/users/7', undefined)).toEqual([A, B]);
  });

  it('returns every distinct policy of an ambiguous slot, once each, in order', () => {
    const t = table((x) => {
      x.add('GET', '/v', { policy: B });
      x.add('GET', '/v', { policy: A });
      x.add('GET', '/v', { policy: B });
      x.add('GET', '/v', { policy: C });
    });
    expect(t.resolve('GET', '/v', undefined)).toBe(B);
    expect(t.resolveAll('GET', '/v', undefined)).toEqual([B, A, C]);
  });

  it('returns the same single-element array for an unambiguous slot every time', () => {
    const t = table((x) => {
      x.add('GET', '/one', { policy: A });
      x.add('GET', '/one', { policy: A });
    });
    const first = t.resolveAll('GET', '/one', undefined);
    const second = t.resolveAll('GET', '/one', 'any.host');
    expect(first).toEqual([A]);
    expect(second).toBe(first);
    expect(t.resolve('GET', '/one', undefined)).toBe(A);
  });

  it('counts (method, path) pairs', () => {
    const t = table((x) => {
      x.add('GET', '/a', { policy: A });
      x.add('POST', '/a', { policy: A });
      x.add('GET', '/b', { policy: B });
    });
    expect(t.routeCount).toBe(3); // GET /a, POST /a, GET /b (HEAD is answered from GET on demand)
    expect(t.resolve('HEAD', '/b', undefined)).toBe(B);
  });

  describe('hosts', () => {
    function hostTable(): RouteTable {
      return table((x) => {
        x.add('GET', '/dash', { policy: A, hosts: compileHostPatterns(':tenant.example.com') });
        x.add('GET', '/dash', { policy: B, hosts: compileHostPatterns(/^admin\.internal$/) });
        x.add('GET', '/open', { policy: C, hosts: compileHostPatterns(['api.example.com', /^api\.example\.net$/]) });
      });
    }

    it('chooses the candidate whose host pattern matches the Host header, without its port', () => {
      const t = hostTable();
      expect(t.resolve('GET', '/dash', 'acme.example.com')).toBe(A);
      expect(t.resolve('GET', '/dash', 'acme.example.com:8443')).toBe(A);
      expect(t.resolve('GET', '/dash', 'admin.internal')).toBe(B);
      expect(t.resolve('GET', '/dash', 'admin.internal:3000')).toBe(B);
      expect(t.resolve('GET', '/dash', 'ADMIN.Internal')).toBe(B);
    });

    it('resolves nothing for a host no candidate serves, or no host at all', () => {
      const t = hostTable();
      expect(t.resolve('GET', '/dash', 'example.com')).toBeUndefined();
      expect(t.resolve('GET', '/dash', 'evil.com')).toBeUndefined();
      expect(t.resolve('GET', '/dash', 'admin.internal.evil.com')).toBeUndefined();
      expect(t.resolve('GET', '/dash', undefined)).toBeUndefined();
      expect(t.resolveAll('GET', '/dash', 'evil.com')).toBeUndefined();
      expect(t.resolveAll('GET', '/dash', undefined)).toBeUndefined();
    });

    it('resolveAll keeps only the candidates that serve the host', () => {
      const t = hostTable();
      expect(t.resolveAll('GET', '/dash', 'acme.example.com')).toEqual([A]);
      expect(t.resolveAll('GET', '/dash', 'admin.internal')).toEqual([B]);
    });

    it('accepts a list of patterns', () => {
      const t = hostTable();
      expect(t.resolve('GET', '/open', 'api.example.com')).toBe(C);
      expect(t.resolve('GET', '/open', 'api.example.net:80')).toBe(C);
      expect(t.resolve('GET', '/open', 'web.example.com')).toBeUndefined();
    });

    it('strips the port of an IPv6 host', () => {
      const t = table((x) => x.add('GET', '/v6', { policy: D, hosts: [/^\[::1\]$/] }));
      expect(t.resolve('GET', '/v6', '[::1]:3000')).toBe(D);
      expect(t.resolve('GET', '/v6', '[::1]')).toBe(D);
      expect(t.resolve('GET', '/v6', '[::2]:3000')).toBeUndefined();
    });

    it('falls back to a candidate without hosts', () => {
      const t = table((x) => {
        x.add('GET', '/mixed', { policy: A, hosts: compileHostPatterns('admin.example.com') });
        x.add('GET', '/mixed', { policy: B });
      });
      expect(t.resolve('GET', '/mixed', 'admin.example.com')).toBe(A);
      expect(t.resolve('GET', '/mixed', 'www.example.com')).toBe(B);
      expect(t.resolveAll('GET', '/mixed', 'admin.example.com')).toEqual([A, B]);
      expect(t.resolveAll('GET', '/mixed', 'www.example.com')).toEqual([B]);
    });
  });
});

describe('RouteTable, adapter matching options', () => {
  it('Express options: case-insensitive, trailing slash ignored', () => {
    const t = new RouteTable(EXPRESS, 'path-to-regexp');
    t.add('GET', '/Users/:id', { policy: A });
    t.add('GET', '/about', { policy: B });
    t.build();
    expect(t.resolve('GET', '/users/1', undefined)).toBe(A);
    expect(t.resolve('GET', '/USERS/1', undefined)).toBe(A);
    expect(t.resolve('GET', '/users/1/', undefined)).toBe(A);
    expect(t.resolve('GET', '/ABOUT/', undefined)).toBe(B);
  });

  it('Express options: paths that differ only in case share a slot', () => {
    const t = new RouteTable(EXPRESS, 'path-to-regexp');
    t.add('GET', '/About', { policy: A });
    t.add('GET', '/about', { policy: B });
    t.build();
    expect(t.resolveAll('GET', '/ABOUT', undefined)).toEqual([A, B]);
  });

  it('Fastify options: paths that differ only in case are distinct routes', () => {
    const t = new RouteTable(FASTIFY, 'find-my-way');
    t.add('GET', '/About', { policy: A });
    t.add('GET', '/about', { policy: B });
    t.build();
    expect(t.resolveAll('GET', '/About', undefined)).toEqual([A]);
    expect(t.resolveAll('GET', '/about', undefined)).toEqual([B]);
  });

  it('Fastify options: case-sensitive, trailing slash significant', () => {
    const t = new RouteTable(FASTIFY, 'find-my-way');
    t.add('GET', '/users/:id', { policy: A });
    t.add('GET', '/about', { policy: B });
    t.build();
    expect(t.resolve('GET', '/users/1', undefined)).toBe(A);
    expect(t.resolve('GET', '/USERS/1', undefined)).toBeUndefined();
    expect(t.resolve('GET', '/users/1/', undefined)).toBeUndefined();
    expect(t.resolve('GET', '/about/', undefined)).toBeUndefined();
    expect(t.resolve('GET', '/About', undefined)).toBeUndefined();
  });
});

describe('RouteTable, Express path syntax', () => {
  function express(build: (t: RouteTable) => void): RouteTable {
    const t = new RouteTable(EXPRESS, 'path-to-regexp');
    build(t);
    t.build();
    return t;
  }

  it('registers each variant of an optional group', () => {
    const t = express((x) => x.add('GET', '/x{/:opt}/y', { policy: A }));
    expect(t.resolve('GET', '/x/y', undefined)).toBe(A);
    expect(t.resolve('GET', '/x/42/y', undefined)).toBe(A);
    expect(t.resolve('GET', '/x/42/z', undefined)).toBeUndefined();
  });

  it('reads "/{*splat}" as the root and everything under it', () => {
    const t = express((x) => x.add('GET', '/{*splat}', { policy: A }));
    expect(t.resolve('GET', '/', undefined)).toBe(A);
    expect(t.resolve('GET', '/deep/path', undefined)).toBe(A);
  });

  it('keeps an escaped colon literal', () => {
    const t = express((x) => x.add('GET', '/a\\:b', { policy: A }));
    expect(t.resolve('GET', '/a:b', undefined)).toBe(A);
    expect(t.resolve('GET', '/ab', undefined)).toBeUndefined();
  });

  it('skips a path path-to-regexp cannot parse', () => {
    const t = express((x) => {
      x.add('GET', '/a(b)', { policy: A });
      x.add('GET', '/ok', { policy: B });
    });
    expect(t.routeCount).toBe(1);
    expect(t.resolve('GET', '/ok', undefined)).toBe(B);
  });
});

describe('compileHostPatterns', () => {
  it('compiles a string with path-to-regexp and keeps a RegExp as it is', () => {
    const regexp = /^admin\.internal$/;
    const [tenant, kept] = compileHostPatterns([':tenant.example.com', regexp]);
    expect(kept).toBe(regexp);
    expect(tenant.test('acme.example.com')).toBe(true);
    expect(tenant.test('example.com')).toBe(false);
    expect(tenant.test('acme.example.com.evil.net')).toBe(false);
    expect(tenant.exec('acme.example.com')?.[1]).toBe('acme');
  });

  it('accepts a single pattern', () => {
    expect(compileHostPatterns('api.example.com')).toHaveLength(1);
    expect(compileHostPatterns('api.example.com')[0].test('api.example.com')).toBe(true);
    expect(compileHostPatterns('api.example.com')[0].test('apixexample.com')).toBe(false);
  });
});
