import { describe, expect, test } from '@jest/globals';
import {
  corsUnsafeRequestHeaderNames,
  corsUnsafeRequestHeaders,
  isSafelistedMethod,
  normalizeMethod,
  preflightReasons,
  requestHeaderLines,
  safelistFailure,
  type HeaderLine,
} from '../../lib/testing/index.js';
import { isForbiddenRequestHeader, mimeEssence, toHeaderLines } from '../../lib/testing/fetch-request.js';

/** The request side of the testing kit's browser model (Fetch standard), rule by rule. */

const line = (name: string, value: string): HeaderLine => ({ name, value });

describe('methods', () => {
  test('normalize a method: the six standard names are upper-cased, every other is kept', () => {
    expect(['get', 'Head', 'post', 'put', 'delete', 'options'].map(normalizeMethod)).toEqual([
      'GET',
      'HEAD',
      'POST',
      'PUT',
      'DELETE',
      'OPTIONS',
    ]);
    expect(['patch', 'Patch', 'PATCH', 'purge'].map(normalizeMethod)).toEqual(['patch', 'Patch', 'PATCH', 'purge']);
  });

  test('a forbidden method or a non-token is refused, as fetch() does', () => {
    expect(() => normalizeMethod('trace')).toThrow('corsFetch: TRACE is a forbidden method; fetch() refuses it');
    expect(() => normalizeMethod('CONNECT')).toThrow(TypeError);
    expect(() => normalizeMethod('Track')).toThrow(TypeError);
    expect(() => normalizeMethod('GET /')).toThrow('corsFetch: "GET /" is not a valid HTTP method');
    expect(() => normalizeMethod('')).toThrow(TypeError);
  });

  test('CORS-safelisted methods: GET, HEAD, POST, byte for byte', () => {
    expect(['GET', 'HEAD', 'POST'].every(isSafelistedMethod)).toBe(true);
    expect(['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'get', 'post'].some(isSafelistedMethod)).toBe(false);
  });
});

describe('header lines a script can set', () => {
  test('forbidden request headers, by name, by prefix, and method overrides naming a forbidden method', () => {
    for (const name of ['Cookie', 'origin', 'HOST', 'Content-Length', 'Access-Control-Request-Method', 'Referer']) {
      expect(isForbiddenRequestHeader(name, 'x')).toBe(true);
    }
    expect(isForbiddenRequestHeader('Proxy-Authorization', 'x')).toBe(true);
    expect(isForbiddenRequestHeader('Sec-Fetch-Mode', 'cors')).toBe(true);
    expect(isForbiddenRequestHeader('X-HTTP-Method-Override', 'get, Trace')).toBe(true);
    expect(isForbiddenRequestHeader('X-HTTP-Method-Override', 'PATCH')).toBe(false);
    expect(isForbiddenRequestHeader('Authorization', 'Bearer t')).toBe(false);
    expect(isForbiddenRequestHeader('X-Proxy', 'x')).toBe(false);
  });

  test('values are trimmed; a repeated name becomes one line, its values joined, the first spelling kept', () => {
    expect(
      toHeaderLines([
        ['X-Tag', ' a\t'],
        ['Accept', 'text/html'],
        ['x-tag', 'b'],
      ]),
    ).toEqual([line('X-Tag', 'a, b'), line('Accept', 'text/html')]);
    expect(toHeaderLines({ 'Content-Type': 'text/plain' })).toEqual([line('Content-Type', 'text/plain')]);
    expect(toHeaderLines(undefined)).toEqual([]);
  });

  test('a string body the script did not type is text/plain;charset=UTF-8; bytes and typed bodies are left alone', () => {
    expect(requestHeaderLines({ 'X-A': '1' }, 'hi')).toEqual([
      line('X-A', '1'),
      line('Content-Type', 'text/plain;charset=UTF-8'),
    ]);
    expect(requestHeaderLines({ 'content-type': 'application/json' }, '{}')).toEqual([
      line('content-type', 'application/json'),
    ]);
    expect(requestHeaderLines(undefined, new Uint8Array([1]))).toEqual([]);
    expect(requestHeaderLines(undefined)).toEqual([]);
  });

  test('what fetch() refuses, and forbidden headers, throw with the header named', () => {
    expect(() => toHeaderLines({ 'Bad Name': 'x' })).toThrow('corsFetch: "Bad Name" is not a valid header name');
    expect(() => toHeaderLines({ 'X-A': 'a\r\nX-B: b' })).toThrow(
      'corsFetch: the value of header X-A is not a valid header value',
    );
    expect(() => toHeaderLines({ 'X-A': 'caf\u20ac' })).toThrow(TypeError);
    expect(() => toHeaderLines({ Cookie: 'sid=1' })).toThrow(
      'corsFetch: Cookie is a forbidden request header; a script cannot set it (use the `cookie` option for what the cookie jar sends)',
    );
    expect(() => toHeaderLines({ Origin: 'https://a.example' })).toThrow(
      'corsFetch: Origin is a forbidden request header; a script cannot set it',
    );
  });
});

describe('CORS-safelisted request headers', () => {
  test('a MIME type essence: type/subtype, lower-cased, parameters ignored; failure is null', () => {
    expect(mimeEssence('text/plain;charset=UTF-8')).toBe('text/plain');
    expect(mimeEssence(' Multipart/Form-Data ; boundary=x')).toBe('multipart/form-data');
    expect(mimeEssence('text')).toBeNull();
    expect(mimeEssence('text/')).toBeNull();
    expect(mimeEssence('te xt/plain')).toBeNull();
  });

  test('only Accept, Accept-Language, Content-Language, Content-Type and Range can be safelisted', () => {
    expect(safelistFailure(line('X-Token', 't'))).toBe('header x-token is not CORS-safelisted');
    expect(safelistFailure(line('Authorization', 'Bearer t'))).toBe('header authorization is not CORS-safelisted');
    expect(safelistFailure(line('Cache-Control', 'no-cache'))).toBe('header cache-control is not CORS-safelisted');
  });

  test('a value over 128 bytes is never safelisted; 128 bytes is', () => {
    expect(safelistFailure(line('Accept', 'a'.repeat(128)))).toBeNull();
    expect(safelistFailure(line('Accept', 'a'.repeat(129)))).toBe(
      'header accept is not CORS-safelisted: its value is 129 bytes, over 128',
    );
    expect(safelistFailure(line('Content-Language', 'a'.repeat(129)))).toBe(
      'header content-language is not CORS-safelisted: its value is 129 bytes, over 128',
    );
  });

  test('Accept: any value without a CORS-unsafe byte', () => {
    expect(safelistFailure(line('Accept', 'application/json, text/*;q=0.8'))).toBeNull();
    for (const byte of ['"', '(', ')', ':', '<', '>', '?', '@', '[', '\\', ']', '{', '}', '\x7f', '\x01']) {
      expect(safelistFailure(line('Accept', `a${byte}b`))).toBe(
        `header accept is not CORS-safelisted: its value has the CORS-unsafe byte ${JSON.stringify(byte)}`,
      );
    }
    expect(safelistFailure(line('Accept', 'a\tb'))).toBeNull();
  });

  test('Accept-Language and Content-Language: 0-9 A-Z a-z space * , - . ; = only', () => {
    expect(safelistFailure(line('Accept-Language', 'de-DE, en;q=0.5, *'))).toBeNull();
    expect(safelistFailure(line('Content-Language', 'de_DE'))).toBe(
      'header content-language is not CORS-safelisted: its value has a byte other than 0-9 A-Z a-z space * , - . ; =',
    );
    expect(safelistFailure(line('Accept-Language', 'de/x'))).toBe(
      'header accept-language is not CORS-safelisted: its value has a byte other than 0-9 A-Z a-z space * , - . ; =',
    );
  });

  test('Content-Type: a form, multipart or text/plain MIME type without a CORS-unsafe byte', () => {
    for (const value of ['text/plain', 'TEXT/PLAIN; charset=utf-8', 'application/x-www-form-urlencoded']) {
      expect(safelistFailure(line('Content-Type', value))).toBeNull();
    }
    expect(safelistFailure(line('Content-Type', 'multipart/form-data; boundary=abc'))).toBeNull();
    expect(safelistFailure(line('Content-Type', 'application/json'))).toBe(
      'header content-type is not CORS-safelisted: application/json is not application/x-www-form-urlencoded, multipart/form-data or text/plain',
    );
    expect(safelistFailure(line('Content-Type', 'text/plain; charset="utf-8"'))).toBe(
      'header content-type is not CORS-safelisted: its value has the CORS-unsafe byte "\\""',
    );
    expect(safelistFailure(line('Content-Type', 'plain'))).toBe(
      'header content-type is not CORS-safelisted: "plain" is not a MIME type',
    );
  });

  test('Range: one bytes=N- or bytes=N-M range, N <= M', () => {
    expect(safelistFailure(line('Range', 'bytes=0-10'))).toBeNull();
    expect(safelistFailure(line('Range', 'bytes=5-'))).toBeNull();
    for (const value of ['bytes=10-5', 'bytes=0-1,3-4', 'bytes=-5', 'bytes = 0-1', 'items=0-1']) {
      expect(safelistFailure(line('Range', value))).toBe(
        `header range is not CORS-safelisted: ${JSON.stringify(value)} is not a single bytes=N- or bytes=N-M range`,
      );
    }
  });
});

describe('CORS-unsafe request-header names and preflight reasons', () => {
  test('lower-cased, unique and sorted, as Access-Control-Request-Headers lists them', () => {
    expect(
      corsUnsafeRequestHeaderNames([
        line('X-Token', 't'),
        line('Content-Type', 'application/json'),
        line('Accept', 'text/html'),
        line('x-token', 'u'),
        line('Authorization', 'Bearer t'),
      ]),
    ).toEqual(['authorization', 'content-type', 'x-token']);
    expect(corsUnsafeRequestHeaderNames([line('Accept', '*/*'), line('Content-Type', 'text/plain')])).toEqual([]);
  });

  test('the safelisted values may add up to 1024 bytes; over that, each of them is unsafe too', () => {
    // Possible only with uncombined repeated names (the Fetch header list); corsFetch() combines them.
    const lines = (count: number, size: number) =>
      Array.from({ length: count }, () => line('Accept', 'a'.repeat(size)));
    expect(corsUnsafeRequestHeaders([...lines(8, 128), line('X-A', 'a'.repeat(500))])).toEqual([
      { name: 'x-a', reason: 'header x-a is not CORS-safelisted' },
    ]);
    expect(corsUnsafeRequestHeaders([...lines(8, 128), line('Content-Language', 'd')])).toEqual([
      {
        name: 'accept',
        reason: 'header accept is not CORS-safelisted: the safelisted values add up to 1025 bytes, over 1024',
      },
      {
        name: 'content-language',
        reason: 'header content-language is not CORS-safelisted: the safelisted values add up to 1025 bytes, over 1024',
      },
    ]);
  });

  test('a preflight is needed for a non-safelisted method or any unsafe header, and never for credentials alone', () => {
    expect(preflightReasons('GET', [])).toEqual([]);
    expect(preflightReasons('POST', [line('Content-Type', 'text/plain;charset=UTF-8')])).toEqual([]);
    expect(preflightReasons('PUT', [])).toEqual(['method PUT is not CORS-safelisted']);
    expect(preflightReasons('patch', [])).toEqual(['method patch is not CORS-safelisted']);
    expect(preflightReasons('DELETE', [line('X-Token', 't'), line('Content-Type', 'application/json')])).toEqual([
      'method DELETE is not CORS-safelisted',
      'header content-type is not CORS-safelisted: application/json is not application/x-www-form-urlencoded, multipart/form-data or text/plain',
      'header x-token is not CORS-safelisted',
    ]);
  });
});
