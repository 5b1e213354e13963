import { describe, expect, it } from '@jest/globals';
import { MAX_REQUEST_HEADER_NAMES, MAX_REQUEST_HEADERS_LENGTH } from '../../lib/cors.constants.js';
import {
  checkRequestedHeaders,
  FORBIDDEN_METHODS,
  isForbiddenRequestHeader,
  isForbiddenResponseHeader,
  isToken,
  normalizeMethod,
  type RequestedHeaderRule,
} from '../../lib/engine/header-syntax.js';

const ANY_WELL_FORMED: RequestedHeaderRule = { anyWellFormed: true, wildcard: false, names: new Set() };
const WILDCARD: RequestedHeaderRule = { anyWellFormed: false, wildcard: true, names: new Set() };

function listed(...names: string[]): RequestedHeaderRule {
  return { anyWellFormed: false, wildcard: false, names: new Set(names) };
}

describe('isToken', () => {
  it.each(['GET', 'x-custom', 'X_Custom.1', "!#$%&'*+-.^_`|~", 'a', 'PATCH', '*'])('%j is a token', (value) => {
    expect(isToken(value)).toBe(true);
  });

  it.each(['', 'a b', 'x@y', 'a,b', 'a:b', 'a/b', '(a)', 'a"b', 'é', 'a\tb', 'a\r\n', '{x}', 'a;b', 'a=b'])(
    '%j is not a token',
    (value) => {
      expect(isToken(value)).toBe(false);
    },
  );
});

describe('normalizeMethod', () => {
  it.each([
    ['get', 'GET'],
    ['Get', 'GET'],
    ['post', 'POST'],
    ['put', 'PUT'],
    ['delete', 'DELETE'],
    ['head', 'HEAD'],
    ['options', 'OPTIONS'],
    ['GET', 'GET'],
    ['patch', 'patch'],
    ['Patch', 'Patch'],
    ['PATCH', 'PATCH'],
    ['propfind', 'propfind'],
    ['M-SEARCH', 'M-SEARCH'],
  ])('%s is sent as %s', (method, expected) => {
    expect(normalizeMethod(method)).toBe(expected);
  });
});

describe('FORBIDDEN_METHODS', () => {
  it('holds CONNECT, TRACE and TRACK', () => {
    expect([...FORBIDDEN_METHODS].sort()).toEqual(['CONNECT', 'TRACE', 'TRACK']);
  });
});

describe('isForbiddenRequestHeader', () => {
  it.each([
    'cookie',
    'cookie2',
    'host',
    'origin',
    'referer',
    'content-length',
    'connection',
    'sec-fetch-mode',
    'sec-ch-ua',
    'proxy-foo',
    'proxy-authorization',
    'access-control-request-method',
    'access-control-request-private-network',
    'access-control-anything',
    'set-cookie',
  ])('%s is forbidden', (name) => {
    expect(isForbiddenRequestHeader(name)).toBe(true);
  });

  it.each(['x-custom', 'authorization', 'content-type', 'accept', 'x-sec-token', 'x-proxy', 'cookies'])(
    '%s is not forbidden',
    (name) => {
      expect(isForbiddenRequestHeader(name)).toBe(false);
    },
  );
});

describe('isForbiddenResponseHeader', () => {
  it('refuses set-cookie and set-cookie2 only', () => {
    expect(isForbiddenResponseHeader('set-cookie')).toBe(true);
    expect(isForbiddenResponseHeader('set-cookie2')).toBe(true);
    expect(isForbiddenResponseHeader('x-total-count')).toBe(false);
    expect(isForbiddenResponseHeader('cookie')).toBe(false);
  });
});

describe('checkRequestedHeaders', () => {
  describe('unset allowedHeaders (any well-formed name)', () => {
    it('allows any well-formed name, including authorization', () => {
      expect(checkRequestedHeaders('x-anything, authorization, content-type', ANY_WELL_FORMED)).toBeUndefined();
    });

    it.each(['a b', 'x@y', 'x-ok, a b', 'x-ok,x@y', 'x(y)', 'é'])('refuses %j as malformed', (value) => {
      expect(checkRequestedHeaders(value, ANY_WELL_FORMED)).toEqual({ reason: 'malformed' });
    });
  });

  describe('explicit names', () => {
    const rule = listed('content-type', 'x-api-key');

    it('allows listed names in any case', () => {
      expect(checkRequestedHeaders('content-type', rule)).toBeUndefined();
      expect(checkRequestedHeaders('Content-Type, X-API-KEY', rule)).toBeUndefined();
    });

    it('refuses the first name not listed, lower-cased', () => {
      expect(checkRequestedHeaders('content-type, X-Other, x-third', rule)).toEqual({
        reason: 'not-allowed',
        header: 'x-other',
      });
    });

    it('refuses authorization unless listed', () => {
      expect(checkRequestedHeaders('authorization', rule)).toEqual({ reason: 'not-allowed', header: 'authorization' });
      expect(checkRequestedHeaders('Authorization', listed('authorization'))).toBeUndefined();
    });

    it('refuses malformed names', () => {
      expect(checkRequestedHeaders('content-type, a b', rule)).toEqual({ reason: 'malformed' });
      expect(checkRequestedHeaders('x@y', rule)).toEqual({ reason: 'malformed' });
    });
  });

  describe('wildcard "*"', () => {
    it('allows any name but authorization', () => {
      expect(checkRequestedHeaders('x-anything, content-type, x-b', WILDCARD)).toBeUndefined();
      expect(checkRequestedHeaders('x-anything, Authorization', WILDCARD)).toEqual({
        reason: 'not-allowed',
        header: 'authorization',
      });
    });

    it('allows authorization when it is listed next to "*"', () => {
      const rule: RequestedHeaderRule = { anyWellFormed: false, wildcard: true, names: new Set(['authorization']) };
      expect(checkRequestedHeaders('x-anything, authorization', rule)).toBeUndefined();
    });

    it('still refuses malformed names', () => {
      expect(checkRequestedHeaders('x-ok, a b', WILDCARD)).toEqual({ reason: 'malformed' });
    });
  });

  describe('list syntax', () => {
    const rule = listed('a', 'b');

    it('trims spaces and tabs around names', () => {
      expect(checkRequestedHeaders(' a ,\tb\t', rule)).toBeUndefined();
      expect(checkRequestedHeaders('  a  ,   b', rule)).toBeUndefined();
    });

    it('skips empty elements', () => {
      expect(checkRequestedHeaders('a,,b', rule)).toBeUndefined();
      expect(checkRequestedHeaders(',a, ,b,', rule)).toBeUndefined();
      expect(checkRequestedHeaders(', ,', rule)).toBeUndefined();
      expect(checkRequestedHeaders('', rule)).toBeUndefined();
    });

    it('does not treat other whitespace as OWS', () => {
      expect(checkRequestedHeaders('a\n', rule)).toEqual({ reason: 'malformed' });
      expect(checkRequestedHeaders('a\u00a0', rule)).toEqual({ reason: 'malformed' });
    });
  });

  describe('bounds', () => {
    it(`allows a value of exactly MAX_REQUEST_HEADERS_LENGTH (${MAX_REQUEST_HEADERS_LENGTH}) characters`, () => {
      const value = 'x'.repeat(MAX_REQUEST_HEADERS_LENGTH);
      expect(checkRequestedHeaders(value, ANY_WELL_FORMED)).toBeUndefined();
    });

    it('refuses a value one character longer as too long', () => {
      const value = 'x'.repeat(MAX_REQUEST_HEADERS_LENGTH + 1);
      expect(checkRequestedHeaders(value, ANY_WELL_FORMED)).toEqual({ reason: 'too-long' });
    });

    it(`allows MAX_REQUEST_HEADER_NAMES (${MAX_REQUEST_HEADER_NAMES}) names`, () => {
      const value = Array.from({ length: MAX_REQUEST_HEADER_NAMES }, (_, i) => `x-${i}`).join(',');
      expect(checkRequestedHeaders(value, ANY_WELL_FORMED)).toBeUndefined();
      expect(checkRequestedHeaders(value, WILDCARD)).toBeUndefined();
    });

    it('refuses one name more as too long', () => {
      const value = Array.from({ length: MAX_REQUEST_HEADER_NAMES + 1 }, (_, i) => `x-${i}`).join(',');
      expect(value.length).toBeLessThanOrEqual(MAX_REQUEST_HEADERS_LENGTH);
      expect(checkRequestedHeaders(value, ANY_WELL_FORMED)).toEqual({ reason: 'too-long' });
    });

    it('counts names, not empty elements', () => {
      const names = Array.from({ length: MAX_REQUEST_HEADER_NAMES }, (_, i) => `x-${i}`);
      const value = `${names.join(',,')},,,`;
      expect(value.length).toBeLessThanOrEqual(MAX_REQUEST_HEADERS_LENGTH);
      expect(checkRequestedHeaders(value, ANY_WELL_FORMED)).toBeUndefined();
    });

    it('refuses a 16 KiB value of commas as too long', () => {
      expect(checkRequestedHeaders(','.repeat(16 * 1024), ANY_WELL_FORMED)).toEqual({ reason: 'too-long' });
      expect(checkRequestedHeaders(','.repeat(16 * 1024), listed('a'))).toEqual({ reason: 'too-long' });
    });

    it('refuses 100,000 commas as too long', () => {
      const value = ','.repeat(100_000);
      for (let i = 0; i < 1_000; i++) {
        expect(checkRequestedHeaders(value, WILDCARD)).toEqual({ reason: 'too-long' });
      }
    });
  });
});
