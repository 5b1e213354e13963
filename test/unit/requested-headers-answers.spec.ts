import { describe, expect, it } from '@jest/globals';
import {
  REQUEST_HEADERS_ANSWERS_MAX_ENTRIES,
  REQUEST_HEADERS_ANSWERS_MAX_KEY_LENGTH,
} from '../../lib/cors.constants.js';
import { checkPreflightRequest, writePreflightHeaders } from '../../lib/engine/cors-decision.js';
import { compiled, FakeHeaders } from './helpers.js';

const policy = (allowedHeaders?: string[]) =>
  compiled({ origin: 'https://a.example', ...(allowedHeaders ? { allowedHeaders } : {}) });

describe('kept answers to Access-Control-Request-Headers', () => {
  it('are shared by policies whose allowed names are equal, and only by them', () => {
    const a = policy(['Content-Type', 'X-Id']);
    const b = policy(['content-type', 'x-id']);
    const c = policy(['Content-Type']);
    expect(a.requestHeadersAnswers).toBe(b.requestHeadersAnswers);
    expect(a.requestHeadersAnswers).not.toBe(c.requestHeadersAnswers);
    expect(policy().requestHeadersAnswers).not.toBe(a.requestHeadersAnswers);
  });

  it('give each policy its own verdict on the same value, every time', () => {
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

  it('are kept once per value: the second preflight with a list reuses the first one’s answer', () => {
    const wide = policy(['Content-Type', 'X-Kept']);
    const first = checkPreflightRequest(policy(['Content-Type']), 'GET', 'x-kept', false);
    expect(first).toEqual({ check: 'headers', detail: 'x-kept' });
    expect(checkPreflightRequest(policy(['Content-Type']), 'GET', 'x-kept', false)).toBe(first);
    expect(wide.requestHeadersAnswers.has('content-type, x-kept')).toBe(false);
    checkPreflightRequest(wide, 'GET', 'content-type, x-kept', false);
    expect(wide.requestHeadersAnswers.has('content-type, x-kept')).toBe(true);
  });

  it('write the requested names back as a clean list, the same every time', () => {
    const wide = policy(['Content-Type', 'X-Id']);
    for (let round = 0; round < 3; round++) {
      const target = new FakeHeaders();
      writePreflightHeaders(wide, 'https://a.example', 'GET', ' content-type ,, x-id', false, target);
      expect(target.getHeader('access-control-allow-headers')).toBe('content-type, x-id');
    }
  });

  it('never hold more than their bound, however many distinct values arrive', () => {
    const bounded = policy(['Content-Type', 'X-Bounded']);
    for (let i = 0; i < 3 * REQUEST_HEADERS_ANSWERS_MAX_ENTRIES; i++) {
      checkPreflightRequest(bounded, 'GET', `content-type, x-flood-${i}`, false);
      expect(bounded.requestHeadersAnswers.size).toBeLessThanOrEqual(REQUEST_HEADERS_ANSWERS_MAX_ENTRIES);
    }
    expect(checkPreflightRequest(bounded, 'GET', 'content-type, x-bounded', false)).toBeUndefined();
  });

  it('never keep a value longer than the key bound, and answer it the same every time', () => {
    const long = policy(['Content-Type', 'X-Long']);
    const value = Array.from({ length: 40 }, () => 'x-long').join(', ');
    expect(value.length).toBeGreaterThan(REQUEST_HEADERS_ANSWERS_MAX_KEY_LENGTH);
    for (let round = 0; round < 2; round++) {
      expect(checkPreflightRequest(long, 'GET', value, false)).toBeUndefined();
      const target = new FakeHeaders();
      writePreflightHeaders(long, 'https://a.example', 'GET', value, false, target);
      expect(target.getHeader('access-control-allow-headers')).toBe(value);
    }
    expect(long.requestHeadersAnswers.has(value)).toBe(false);
  });

  it('keep no written-back list for a refused value (cleaning a hostile one would cost what the check saves)', () => {
    const narrow = policy(['Content-Type', 'X-Refused-Test']);
    expect(checkPreflightRequest(narrow, 'GET', ' x-other ,, content-type', false)).toEqual({
      check: 'headers',
      detail: 'x-other',
    });
    expect(narrow.requestHeadersAnswers.get(' x-other ,, content-type')?.allowHeaders).toBe('');
  });
});
