import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { compileOriginMatcher, type OriginMatcher } from '../../lib/engine/origin-matcher.js';
import { classifyOriginEntry, type OriginSpec } from '../../lib/engine/origin-syntax.js';
import type { CorsOriginFunction } from '../../lib/interfaces/cors-policy.interface.js';
import { fakeRequest } from './helpers.js';

function specs(...entries: string[]): OriginSpec[] {
  return entries.map((entry) => {
    const result = classifyOriginEntry(entry);
    if (!('spec' in result)) {
      throw new Error(`test setup: ${entry} is not a valid entry: ${result.problem}`);
    }
    return result.spec;
  });
}

function matcherFor(...entries: string[]): OriginMatcher {
  return compileOriginMatcher(specs(...entries), [], undefined);
}

const request = fakeRequest({ host: 'api.example.com' });

describe('compileOriginMatcher', () => {
  describe('exact origins', () => {
    it('finds one origin among 10,000', () => {
      const origins = Array.from({ length: 10_000 }, (_, i) => `https://app${i}.example.com`);
      const matcher = matcherFor(...origins);
      expect(matcher.matches('https://app0.example.com', request)).toBe(true);
      expect(matcher.matches('https://app5000.example.com', request)).toBe(true);
      expect(matcher.matches('https://app9999.example.com', request)).toBe(true);
      expect(matcher.matches('https://app10000.example.com', request)).toBe(false);
      expect(matcher.matches('https://app5000.example.com:8443', request)).toBe(false);
      expect(matcher.matches('http://app5000.example.com', request)).toBe(false);
      expect(matcher.describe()).toHaveLength(10_000);
    });

    it('compares the whole value, byte for byte', () => {
      const matcher = matcherFor('https://app.example.com');
      expect(matcher.matches('https://app.example.com', request)).toBe(true);
      expect(matcher.matches('https://APP.example.com', request)).toBe(false);
      expect(matcher.matches('https://app.example.com/', request)).toBe(false);
      expect(matcher.matches('https://app.example.com ', request)).toBe(false);
      expect(matcher.matches('https://app.example.com, https://evil.com', request)).toBe(false);
      expect(matcher.matches('https://app.example.com.evil.net', request)).toBe(false);
      expect(matcher.matches('https://xapp.example.com', request)).toBe(false);
    });
  });

  describe('subdomain patterns', () => {
    const matcher = matcherFor('https://*.example.com');

    it.each(['https://a.example.com', 'https://a.b.example.com', 'https://x-1.deep.sub.example.com'])(
      'matches %s',
      (origin) => {
        expect(matcher.matches(origin, request)).toBe(true);
      },
    );

    it.each([
      ['the apex', 'https://example.com'],
      ['a suffix attack', 'https://example.com.evil.net'],
      ['a lookalike without the dot', 'https://evilexample.com'],
      ['another scheme', 'http://a.example.com'],
      ['a port the pattern does not name', 'https://a.example.com:8443'],
      ['an empty label', 'https://.example.com'],
      ['uppercase', 'https://A.example.com'],
      ['a path', 'https://a.example.com/'],
      ['a list', 'https://a.example.com, https://evil.com'],
      ['the literal pattern', 'https://*.example.com'],
      ['null', 'null'],
    ])('does not match %s (%s)', (_label, origin) => {
      expect(matcher.matches(origin, request)).toBe(false);
    });

    it('with a port matches that port only', () => {
      const withPort = matcherFor('https://*.example.com:8443');
      expect(withPort.matches('https://a.example.com:8443', request)).toBe(true);
      expect(withPort.matches('https://a.example.com', request)).toBe(false);
      expect(withPort.matches('https://a.example.com:9443', request)).toBe(false);
    });

    it('with ":*" matches any port, and none', () => {
      const anyPort = matcherFor('https://*.example.com:*');
      expect(anyPort.matches('https://a.example.com:8443', request)).toBe(true);
      expect(anyPort.matches('https://a.example.com', request)).toBe(true);
      expect(anyPort.matches('https://example.com:8443', request)).toBe(false);
      expect(anyPort.matches('http://a.example.com:8443', request)).toBe(false);
    });

    it('keeps several rules for one base', () => {
      const both = matcherFor('https://*.example.com', 'http://*.example.com:8080');
      expect(both.matches('https://a.example.com', request)).toBe(true);
      expect(both.matches('http://a.example.com:8080', request)).toBe(true);
      expect(both.matches('http://a.example.com', request)).toBe(false);
      expect(both.matches('https://a.example.com:8080', request)).toBe(false);
    });

    it('matches under a nested base only, not its parent', () => {
      const nested = matcherFor('https://*.api.example.com');
      expect(nested.matches('https://v1.api.example.com', request)).toBe(true);
      expect(nested.matches('https://api.example.com', request)).toBe(false);
      expect(nested.matches('https://web.example.com', request)).toBe(false);
    });
  });

  describe('port patterns', () => {
    const matcher = matcherFor('http://localhost:*');

    it.each(['http://localhost:3000', 'http://localhost:5173', 'http://localhost'])('matches %s', (origin) => {
      expect(matcher.matches(origin, request)).toBe(true);
    });

    it.each([
      'https://localhost:3000',
      'http://localhost.evil.com:3000',
      'http://app.localhost:3000',
      'http://127.0.0.1:3000',
      'http://localhost:0',
      'http://localhost:80',
    ])('does not match %s', (origin) => {
      expect(matcher.matches(origin, request)).toBe(false);
    });
  });

  describe('"null"', () => {
    it('matches only when listed', () => {
      expect(matcherFor('https://a.com').matches('null', request)).toBe(false);
      expect(matcherFor('https://*.example.com', 'http://localhost:*').matches('null', request)).toBe(false);
      expect(matcherFor('https://a.com', 'null').matches('null', request)).toBe(true);
    });

    it('never reaches a RegExp or a predicate', () => {
      const calls: string[] = [];
      const matcher = compileOriginMatcher([], [/^.*$/], (origin) => {
        calls.push(origin);
        return true;
      });
      expect(matcher.matches('null', request)).toBe(false);
      expect(calls).toEqual([]);
    });
  });

  describe('RegExps', () => {
    const regexp = /^https:\/\/.*\.example\.com$/;

    it('match valid origins', () => {
      const matcher = compileOriginMatcher([], [regexp], undefined);
      expect(matcher.matches('https://x.example.com', request)).toBe(true);
      expect(matcher.matches('https://evil.com', request)).toBe(false);
    });

    it('are never tested against a value that is not one serialized origin', () => {
      const matcher = compileOriginMatcher([], [regexp], undefined);
      // The raw RegExp accepts this list; the matcher must not.
      expect(regexp.test('https://evil.com, https://x.example.com')).toBe(true);
      expect(matcher.matches('https://evil.com, https://x.example.com', request)).toBe(false);
      expect(matcher.matches('https://x.example.com, https://evil.com', request)).toBe(false);
      expect(regexp.test('https://evil.com/.example.com')).toBe(true);
      expect(matcher.matches('https://evil.com/.example.com', request)).toBe(false);
      expect(regexp.test('https://u@x.example.com')).toBe(true);
      expect(matcher.matches('https://u@x.example.com', request)).toBe(false);
    });

    it('with the g or y flag give the same answer every time', () => {
      const global = /^https:\/\/a\.example\.com$/g;
      const sticky = /^https:\/\/b\.example\.com$/y;
      const matcher = compileOriginMatcher([], [global, sticky], undefined);
      for (let i = 0; i < 3; i++) {
        expect(matcher.matches('https://a.example.com', request)).toBe(true);
        expect(matcher.matches('https://b.example.com', request)).toBe(true);
      }
      expect(global.lastIndex).toBe(0);
      expect(sticky.lastIndex).toBe(0);
    });

    it('keep other flags (i)', () => {
      const matcher = compileOriginMatcher([], [/^HTTPS:\/\/A\.EXAMPLE\.COM$/i], undefined);
      expect(matcher.matches('https://a.example.com', request)).toBe(true);
    });
  });

  describe('predicates', () => {
    it('are called with the origin and the request', () => {
      const calls: Array<[string, IncomingMessage]> = [];
      const matcher = compileOriginMatcher([], [], (origin, req) => {
        calls.push([origin, req]);
        return origin === 'https://ok.example.com';
      });
      expect(matcher.matches('https://ok.example.com', request)).toBe(true);
      expect(matcher.matches('https://no.example.com', request)).toBe(false);
      expect(calls).toHaveLength(2);
      expect(calls[0][0]).toBe('https://ok.example.com');
      expect(calls[0][1]).toBe(request);
      expect(calls[1][0]).toBe('https://no.example.com');
    });

    it('synchronous true and false are returned as they are', () => {
      expect(compileOriginMatcher([], [], () => true).matches('https://a.com', request)).toBe(true);
      expect(compileOriginMatcher([], [], () => false).matches('https://a.com', request)).toBe(false);
    });

    it('an asynchronous answer is a promise of it', async () => {
      const yes = compileOriginMatcher([], [], async () => true).matches('https://a.com', request);
      const no = compileOriginMatcher([], [], async () => false).matches('https://a.com', request);
      expect(yes).toBeInstanceOf(Promise);
      expect(no).toBeInstanceOf(Promise);
      await expect(yes).resolves.toBe(true);
      await expect(no).resolves.toBe(false);
    });

    it('a rejected promise refuses', async () => {
      const matcher = compileOriginMatcher([], [], () => Promise.reject(new Error('database down')));
      await expect(matcher.matches('https://a.com', request)).resolves.toBe(false);
    });

    it('a throwing predicate refuses', () => {
      const matcher = compileOriginMatcher([], [], () => {
        throw new Error('boom');
      });
      expect(matcher.matches('https://a.com', request)).toBe(false);
    });

    it.each([
      ['1', 1],
      ['"yes"', 'yes'],
      ['an object', {}],
      ['a string "true"', 'true'],
    ])('a synchronous non-boolean truthy value (%s) refuses', (_label, value) => {
      const predicate = (() => value) as unknown as CorsOriginFunction;
      expect(compileOriginMatcher([], [], predicate).matches('https://a.com', request)).toBe(false);
    });

    it('an asynchronous non-boolean truthy value refuses', async () => {
      const predicate = (async () => 1) as unknown as CorsOriginFunction;
      await expect(compileOriginMatcher([], [], predicate).matches('https://a.com', request)).resolves.toBe(false);
    });

    it.each([
      ['a list', 'https://a.com, https://b.com'],
      ['a trailing slash', 'https://a.com/'],
      ['uppercase', 'HTTPS://A.COM'],
      ['an empty value', ''],
      ['a leading space', ' https://a.com'],
      ['a default port', 'https://a.com:443'],
      ['an over-long value', `https://${'a'.repeat(10_000)}.com`],
    ])('is never called for an invalid origin (%s)', (_label, origin) => {
      let calls = 0;
      const matcher = compileOriginMatcher([], [], () => {
        calls++;
        return true;
      });
      expect(matcher.matches(origin, request)).toBe(false);
      expect(calls).toBe(0);
    });

    it('is not consulted when a listed origin already matches', () => {
      let calls = 0;
      const matcher = compileOriginMatcher(specs('https://a.com'), [], () => {
        calls++;
        return false;
      });
      expect(matcher.matches('https://a.com', request)).toBe(true);
      expect(calls).toBe(0);
    });

    it('is consulted after listed origins and RegExps fail', () => {
      const matcher = compileOriginMatcher(specs('https://a.com'), [/^https:\/\/b\.com$/], (origin) => {
        return origin === 'https://c.com';
      });
      expect(matcher.matches('https://a.com', request)).toBe(true);
      expect(matcher.matches('https://b.com', request)).toBe(true);
      expect(matcher.matches('https://c.com', request)).toBe(true);
      expect(matcher.matches('https://d.com', request)).toBe(false);
    });
  });

  describe('any and none', () => {
    it('"*" sets any and matches every origin', () => {
      const matcher = matcherFor('*');
      expect(matcher.any).toBe(true);
      expect(matcher.none).toBe(false);
      expect(matcher.matches('https://whatever.example', request)).toBe(true);
    });

    it('nothing at all is none and matches nothing', () => {
      const matcher = compileOriginMatcher([], [], undefined);
      expect(matcher.any).toBe(false);
      expect(matcher.none).toBe(true);
      expect(matcher.matches('https://a.com', request)).toBe(false);
      expect(matcher.matches('null', request)).toBe(false);
      expect(matcher.describe()).toEqual([]);
    });

    it.each([
      ['an exact origin', compileOriginMatcher(specs('https://a.com'), [], undefined)],
      ['null', compileOriginMatcher(specs('null'), [], undefined)],
      ['a subdomain pattern', compileOriginMatcher(specs('https://*.example.com'), [], undefined)],
      ['a port pattern', compileOriginMatcher(specs('http://localhost:*'), [], undefined)],
      ['a RegExp', compileOriginMatcher([], [/^https:\/\/a\.com$/], undefined)],
      ['a predicate', compileOriginMatcher([], [], () => false)],
    ])('%s is neither any nor none', (_label, matcher) => {
      expect(matcher.any).toBe(false);
      expect(matcher.none).toBe(false);
    });
  });

  describe('describe()', () => {
    it('lists entries in order, then RegExps, then the predicate by name', () => {
      function allowTenants(): boolean {
        return false;
      }
      const matcher = compileOriginMatcher(
        specs(
          'https://a.com',
          'null',
          'http://localhost:*',
          'https://*.example.com:8443',
          'https://*.example.org',
          '*',
        ),
        [/^https:\/\/b\.com$/],
        allowTenants,
      );
      expect(matcher.describe()).toEqual([
        'https://a.com',
        'null',
        'http://localhost:*',
        'https://*.example.com:8443',
        'https://*.example.org',
        '*',
        '/^https:\\/\\/b\\.com$/',
        'allowTenants()',
      ]);
    });

    it('names an anonymous predicate', () => {
      const matcher = compileOriginMatcher([], [], [() => true][0]);
      expect(matcher.describe()).toEqual(['anonymous()']);
    });
  });
});
