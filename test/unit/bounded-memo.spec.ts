import { describe, expect, it } from '@jest/globals';
import { BoundedMemo } from '../../lib/engine/bounded-memo.js';
import { checkPreflightRequest, writePreflightHeaders } from '../../lib/engine/cors-decision.js';
import { compiled, FakeHeaders } from './helpers.js';

function counting() {
  const calls: string[] = [];
  const compute = (key: string, suffix: string) => {
    calls.push(key);
    return { value: key + suffix };
  };
  return { calls, compute };
}

describe('BoundedMemo', () => {
  it('computes a repeated key once and returns the same answer', () => {
    const memo = new BoundedMemo<{ value: string }>(4, 10);
    const { calls, compute } = counting();
    const first = memo.get('a', '!', compute);
    expect(memo.get('a', '!', compute)).toBe(first);
    expect(first).toEqual({ value: 'a!' });
    expect(calls).toEqual(['a']);
  });

  it('never keeps a key longer than its bound, and computes it every time', () => {
    const memo = new BoundedMemo<{ value: string }>(4, 3);
    const { calls, compute } = counting();
    memo.get('abcd', '', compute);
    memo.get('abcd', '', compute);
    expect(calls).toEqual(['abcd', 'abcd']);
    expect(memo.size).toBe(0);
    memo.get('abc', '', compute);
    expect(memo.size).toBe(1);
  });

  it('never holds more than its bound of entries', () => {
    const memo = new BoundedMemo<{ value: string }>(3, 10);
    const { calls, compute } = counting();
    for (let i = 0; i < 10; i++) {
      memo.get(`k${i}`, '', compute);
      expect(memo.size).toBeLessThanOrEqual(3);
    }
    expect(calls).toHaveLength(10);
    // The newest key is kept after the memo was emptied.
    memo.get('k9', '', compute);
    expect(calls).toHaveLength(10);
  });
});

describe('remembered Access-Control-Request-Headers answers', () => {
  const policy = (allowedHeaders?: string[]) =>
    compiled({ origin: 'https://a.example', ...(allowedHeaders ? { allowedHeaders } : {}) });

  it('are shared by policies whose allowed names are equal, and only by them', () => {
    const a = policy(['Content-Type', 'X-Id']);
    const b = policy(['content-type', 'x-id']);
    const c = policy(['Content-Type']);
    expect(a.requestHeadersAnswers).toBe(b.requestHeadersAnswers);
    expect(a.requestHeadersAnswers).not.toBe(c.requestHeadersAnswers);
    expect(policy().requestHeadersAnswers).not.toBe(a.requestHeadersAnswers);
  });

  it('give each policy its own verdict on the same value', () => {
    const wide = policy(['Content-Type', 'X-Id']);
    const narrow = policy(['Content-Type']);
    const any = policy();
    for (let round = 0; round < 3; round++) {
      expect(checkPreflightRequest(wide, 'GET', 'content-type,x-id', false)).toBeUndefined();
      expect(checkPreflightRequest(narrow, 'GET', 'content-type,x-id', false)).toEqual({
        check: 'headers',
        detail: 'x-id',
      });
      expect(checkPreflightRequest(any, 'GET', 'content-type,x-id', false)).toBeUndefined();
      expect(checkPreflightRequest(any, 'GET', 'content-type,x id', false)).toEqual({
        check: 'headers',
        detail: '(malformed)',
      });
    }
  });

  it('write the requested names back as a clean list, the same every time', () => {
    const wide = policy(['Content-Type', 'X-Id']);
    for (let round = 0; round < 3; round++) {
      const target = new FakeHeaders();
      writePreflightHeaders(wide, 'https://a.example', 'GET', ' content-type ,, x-id', false, target);
      expect(target.getHeader('access-control-allow-headers')).toBe('content-type, x-id');
    }
  });

  it('keep no written-back list for a refused value (cleaning a hostile one would cost what the check saves)', () => {
    const narrow = policy(['Content-Type']);
    expect(checkPreflightRequest(narrow, 'GET', ' x-id ,, content-type', false)).toEqual({
      check: 'headers',
      detail: 'x-id',
    });
    const remembered = narrow.requestHeadersAnswers.get(' x-id ,, content-type', narrow.requestHeaders, () => {
      throw new Error('the answer should have been remembered');
    });
    expect(remembered.allowHeaders).toBe('');
  });
});
