import { describe, expect, it } from '@jest/globals';
import { CorsOriginCache } from '../../lib/cors-origin-cache.service.js';
import { OriginAnswerCache } from '../../lib/engine/origin-answer-cache.js';
import { compileOriginMatcher, type AsyncOriginSettings } from '../../lib/engine/origin-matcher.js';
import type { CorsOriginFunction } from '../../lib/interfaces/cors-policy.interface.js';
import { fakeRequest } from './helpers.js';

const request = fakeRequest();

/** An async origin function over a mutable tenant set, counting its calls. */
function tenantLookup(tenants: Set<string>) {
  const calls: string[] = [];
  const predicate: CorsOriginFunction = async (origin) => {
    calls.push(origin);
    return tenants.has(origin);
  };
  return { predicate, calls };
}

function settingsWith(cache: OriginAnswerCache, failures: string[] = []): AsyncOriginSettings {
  return {
    timeoutMs: 1000,
    cacheTtlMs: 60_000,
    cacheSize: 100,
    cache,
    onFailure: (origin, reason) => failures.push(`${origin}: ${reason}`),
  };
}

describe('OriginAnswerCache shared by compiled matchers', () => {
  it('answers from the cache until the origin is forgotten, then asks the predicate again', async () => {
    const tenants = new Set(['https://acme.example.com']);
    const { predicate, calls } = tenantLookup(tenants);
    const cache = new OriginAnswerCache();
    const matcher = compileOriginMatcher([], [], predicate, settingsWith(cache));

    await expect(matcher.matches('https://acme.example.com', request)).resolves.toBe(true);
    expect(await matcher.matches('https://acme.example.com', request)).toBe(true);
    expect(calls).toEqual(['https://acme.example.com']);

    tenants.delete('https://acme.example.com');
    expect(await matcher.matches('https://acme.example.com', request)).toBe(true); // still cached
    cache.forget('https://acme.example.com');
    expect(await matcher.matches('https://acme.example.com', request)).toBe(false);
    expect(calls).toEqual(['https://acme.example.com', 'https://acme.example.com']);
  });

  it('forget() reaches every predicate compiled with the same settings, and only that origin', async () => {
    const first = tenantLookup(new Set(['https://a.com', 'https://b.com']));
    const second = tenantLookup(new Set(['https://a.com']));
    const cache = new OriginAnswerCache();
    const settings = settingsWith(cache);
    const one = compileOriginMatcher([], [], first.predicate, settings);
    const two = compileOriginMatcher([], [], second.predicate, settings);
    for (const matcher of [one, two]) {
      await matcher.matches('https://a.com', request);
      await matcher.matches('https://b.com', request);
    }
    cache.forget('https://a.com');
    for (const matcher of [one, two]) {
      await matcher.matches('https://a.com', request);
      await matcher.matches('https://b.com', request);
    }
    expect(first.calls).toEqual(['https://a.com', 'https://b.com', 'https://a.com']);
    expect(second.calls).toEqual(['https://a.com', 'https://b.com', 'https://a.com']);
  });

  it('clear() drops every answer', async () => {
    const { predicate, calls } = tenantLookup(new Set(['https://a.com']));
    const cache = new OriginAnswerCache();
    const matcher = compileOriginMatcher([], [], predicate, settingsWith(cache));
    await matcher.matches('https://a.com', request);
    await matcher.matches('https://b.com', request);
    cache.clear();
    await matcher.matches('https://a.com', request);
    await matcher.matches('https://b.com', request);
    expect(calls).toEqual(['https://a.com', 'https://b.com', 'https://a.com', 'https://b.com']);
  });

  it.each(['https://Acme.example.com', 'https://acme.example.com/', 'https://acme.example.com/path?x=1'])(
    'forget(%j) drops the origin as browsers send it',
    async (spelling) => {
      const { predicate, calls } = tenantLookup(new Set(['https://acme.example.com']));
      const cache = new OriginAnswerCache();
      const matcher = compileOriginMatcher([], [], predicate, settingsWith(cache));
      await matcher.matches('https://acme.example.com', request);
      cache.forget(spelling);
      await matcher.matches('https://acme.example.com', request);
      expect(calls).toHaveLength(2);
    },
  );

  it('forget() of a value that is no origin at all drops nothing and does not throw', async () => {
    const { predicate, calls } = tenantLookup(new Set(['https://a.com']));
    const cache = new OriginAnswerCache();
    const matcher = compileOriginMatcher([], [], predicate, settingsWith(cache));
    await matcher.matches('https://a.com', request);
    cache.forget('not an origin');
    cache.forget('');
    await matcher.matches('https://a.com', request);
    expect(calls).toHaveLength(1);
  });

  it('a lookup in flight when its origin is forgotten answers its request but is not kept', async () => {
    let release: (allowed: boolean) => void = () => undefined;
    const calls: string[] = [];
    const predicate: CorsOriginFunction = (origin) => {
      calls.push(origin);
      return new Promise<boolean>((resolve) => (release = resolve));
    };
    const cache = new OriginAnswerCache();
    const matcher = compileOriginMatcher([], [], predicate, settingsWith(cache));
    const inFlight = matcher.matches('https://a.com', request);
    cache.forget('https://a.com');
    release(true);
    await expect(inFlight).resolves.toBe(true);
    const next = matcher.matches('https://a.com', request);
    expect(calls).toEqual(['https://a.com', 'https://a.com']);
    release(false);
    await expect(next).resolves.toBe(false);
  });

  it('with the cache off (cacheTtlMs 0) every request asks, and forget() is harmless', async () => {
    const { predicate, calls } = tenantLookup(new Set(['https://a.com']));
    const cache = new OriginAnswerCache();
    const matcher = compileOriginMatcher([], [], predicate, { ...settingsWith(cache), cacheTtlMs: 0 });
    await matcher.matches('https://a.com', request);
    cache.forget('https://a.com');
    await matcher.matches('https://a.com', request);
    expect(calls).toHaveLength(2);
  });

  it('CorsOriginCache is an OriginAnswerCache the matchers can use', async () => {
    const { predicate, calls } = tenantLookup(new Set(['https://a.com']));
    const cache = new CorsOriginCache();
    const matcher = compileOriginMatcher([], [], predicate, settingsWith(cache));
    await matcher.matches('https://a.com', request);
    cache.forget('https://a.com');
    await matcher.matches('https://a.com', request);
    cache.clear();
    await matcher.matches('https://a.com', request);
    expect(calls).toHaveLength(3);
  });
});

describe('predicate answers that are not booleans', () => {
  it('a synchronous undefined (a callback-style function) refuses and says why', () => {
    const failures: string[] = [];
    const callbackStyle = ((_origin: string, _callback: unknown) => undefined) as unknown as CorsOriginFunction;
    const matcher = compileOriginMatcher([], [], callbackStyle, settingsWith(new OriginAnswerCache(), failures));
    expect(matcher.matches('https://a.com', request)).toBe(false);
    expect(failures).toEqual([
      'https://a.com: returned undefined, not true or false (a callback-style function (origin, callback)? ' +
        'Return the answer instead)',
    ]);
  });

  it('an asynchronous non-boolean refuses, says why and is not cached', async () => {
    const failures: string[] = [];
    let calls = 0;
    const predicate = (async () => {
      calls++;
      return 'https://a.com';
    }) as unknown as CorsOriginFunction;
    const matcher = compileOriginMatcher([], [], predicate, settingsWith(new OriginAnswerCache(), failures));
    await expect(matcher.matches('https://a.com', request)).resolves.toBe(false);
    await expect(matcher.matches('https://a.com', request)).resolves.toBe(false);
    expect(calls).toBe(2);
    expect(failures).toEqual([
      'https://a.com: resolved to "https://a.com", not true or false',
      'https://a.com: resolved to "https://a.com", not true or false',
    ]);
  });
});
