import { describe, expect, test } from '@jest/globals';
import {
  corsCheck,
  exposedHeaderNames,
  extractHeaderListValues,
  getHeader,
  isOkStatus,
  preflightCheck,
  readableHeaders,
  type CredentialsMode,
  type PreflightCheckRequest,
  type WireResponse,
} from '../../lib/testing/index.js';

/** The response side of the testing kit's browser model (Fetch standard), check by check, reason by reason. */

const ORIGIN = 'https://app.example.com';

function response(status: number, lines: Array<[string, string]>): WireResponse {
  return { status, rawHeaders: lines.flat() };
}

const request = (credentials: CredentialsMode, method = 'PUT', unsafeHeaderNames: string[] = []) =>
  ({ origin: ORIGIN, credentials, method, unsafeHeaderNames }) satisfies PreflightCheckRequest;

describe('reading header lines', () => {
  test('get: null when absent, else every line of the name (any case) joined with ", "', () => {
    const res = response(200, [
      ['Vary', 'Origin'],
      ['vary', 'Accept'],
    ]);
    expect(getHeader(res, 'VARY')).toBe('Origin, Accept');
    expect(getHeader(res, 'Access-Control-Allow-Origin')).toBeNull();
  });

  test('extract header list values: null when absent, failure on a non-token, empty elements and OWS ignored', () => {
    expect(extractHeaderListValues(response(200, []), 'Access-Control-Allow-Methods')).toBeNull();
    const list = response(200, [
      ['Access-Control-Allow-Methods', ' PUT ,, DELETE,'],
      ['Access-Control-Allow-Methods', 'PATCH'],
    ]);
    expect(extractHeaderListValues(list, 'access-control-allow-methods')).toEqual(['PUT', 'DELETE', 'PATCH']);
    const bad = response(200, [['Access-Control-Allow-Methods', 'PUT, "DELETE"']]);
    expect(extractHeaderListValues(bad, 'Access-Control-Allow-Methods')).toBe('failure');
  });

  test('ok status: 200 to 299', () => {
    expect([199, 200, 204, 299, 300, 403].map(isOkStatus)).toEqual([false, true, true, true, false, false]);
  });
});

describe('CORS check', () => {
  test('no Access-Control-Allow-Origin: failure', () => {
    expect(corsCheck(request('omit'), response(200, []))).toBe('no Access-Control-Allow-Origin header');
  });

  test('* passes without credentials, never with', () => {
    const star = response(200, [['Access-Control-Allow-Origin', '*']]);
    expect(corsCheck(request('omit'), star)).toBeNull();
    expect(corsCheck(request('same-origin'), star)).toBeNull();
    expect(corsCheck(request('include'), star)).toBe(
      'Access-Control-Allow-Origin is * but the request includes credentials',
    );
    const starWithCredentials = response(200, [
      ['Access-Control-Allow-Origin', '*'],
      ['Access-Control-Allow-Credentials', 'true'],
    ]);
    expect(corsCheck(request('include'), starWithCredentials)).toBe(
      'Access-Control-Allow-Origin is * but the request includes credentials',
    );
  });

  test('otherwise the origin byte for byte; two lines are one value, which no origin equals', () => {
    expect(corsCheck(request('omit'), response(200, [['Access-Control-Allow-Origin', ORIGIN]]))).toBeNull();
    expect(
      corsCheck(request('omit'), response(200, [['Access-Control-Allow-Origin', 'https://APP.example.com']])),
    ).toBe(`Access-Control-Allow-Origin "https://APP.example.com" does not match the origin (${ORIGIN})`);
    expect(
      corsCheck(
        request('omit'),
        response(200, [
          ['Access-Control-Allow-Origin', ORIGIN],
          ['Access-Control-Allow-Origin', ORIGIN],
        ]),
      ),
    ).toBe(`Access-Control-Allow-Origin "${ORIGIN}, ${ORIGIN}" has several values (${ORIGIN})`);
  });

  test('with credentials, Access-Control-Allow-Credentials must be exactly true', () => {
    const allow = (value?: string) =>
      response(200, [
        ['Access-Control-Allow-Origin', ORIGIN],
        ...(value === undefined ? [] : [['Access-Control-Allow-Credentials', value] as [string, string]]),
      ]);
    expect(corsCheck(request('include'), allow('true'))).toBeNull();
    expect(corsCheck(request('omit'), allow())).toBeNull();
    expect(corsCheck(request('include'), allow())).toBe(
      'no Access-Control-Allow-Credentials: true, and the request includes credentials',
    );
    expect(corsCheck(request('include'), allow('True'))).toBe(
      'Access-Control-Allow-Credentials is "True", not "true", and the request includes credentials',
    );
  });
});

describe('CORS-preflight check', () => {
  const ok = (lines: Array<[string, string]>, status = 204) =>
    response(status, [['Access-Control-Allow-Origin', ORIGIN], ['Access-Control-Allow-Credentials', 'true'], ...lines]);

  test('the CORS check first, then an ok status', () => {
    expect(preflightCheck(request('omit'), response(403, []))).toBe('no Access-Control-Allow-Origin header');
    expect(preflightCheck(request('omit'), ok([['Access-Control-Allow-Methods', 'PUT']], 500))).toBe(
      'preflight status 500 is not ok (200-299)',
    );
    expect(preflightCheck(request('omit'), ok([['Access-Control-Allow-Methods', 'PUT']], 200))).toBeNull();
  });

  test('a malformed method or header list fails the preflight', () => {
    expect(preflightCheck(request('omit'), ok([['Access-Control-Allow-Methods', 'PUT DELETE']]))).toBe(
      'Access-Control-Allow-Methods "PUT DELETE" is not a list of methods',
    );
    expect(preflightCheck(request('omit'), ok([['Access-Control-Allow-Headers', 'x-a; x-b']]))).toBe(
      'Access-Control-Allow-Headers "x-a; x-b" is not a list of header names',
    );
  });

  test('the method: listed byte for byte, CORS-safelisted, or * without credentials', () => {
    expect(preflightCheck(request('omit', 'PUT'), ok([['Access-Control-Allow-Methods', 'GET, PUT']]))).toBeNull();
    expect(preflightCheck(request('omit', 'PUT'), ok([]))).toBe('method PUT not allowed');
    expect(preflightCheck(request('omit', 'patch'), ok([['Access-Control-Allow-Methods', 'PATCH']]))).toBe(
      'method patch not allowed',
    );
    expect(preflightCheck(request('omit', 'POST', ['x-a']), ok([['Access-Control-Allow-Headers', 'x-a']]))).toBeNull();
    expect(preflightCheck(request('omit', 'DELETE'), ok([['Access-Control-Allow-Methods', '*']]))).toBeNull();
    expect(preflightCheck(request('include', 'DELETE'), ok([['Access-Control-Allow-Methods', '*']]))).toBe(
      'method DELETE not allowed (* does not count for a request with credentials)',
    );
    expect(preflightCheck(request('include', '*'), ok([['Access-Control-Allow-Methods', '*']]))).toBeNull();
  });

  test('each unsafe header: listed (any case), or * without credentials', () => {
    const put = (credentials: CredentialsMode, names: string[]) => request(credentials, 'PUT', names);
    const methods: [string, string] = ['Access-Control-Allow-Methods', 'PUT'];
    expect(
      preflightCheck(
        put('omit', ['content-type', 'x-token']),
        ok([methods, ['Access-Control-Allow-Headers', 'X-Token, Content-Type']]),
      ),
    ).toBeNull();
    expect(
      preflightCheck(
        put('omit', ['x-admin-token', 'x-token']),
        ok([methods, ['Access-Control-Allow-Headers', 'x-token']]),
      ),
    ).toBe('header x-admin-token not allowed');
    expect(preflightCheck(put('omit', ['x-token']), ok([methods, ['Access-Control-Allow-Headers', '*']]))).toBeNull();
    expect(preflightCheck(put('include', ['x-token']), ok([methods, ['Access-Control-Allow-Headers', '*']]))).toBe(
      'header x-token not allowed (* does not count for a request with credentials)',
    );
  });

  test('Authorization is never covered by *, only by its name', () => {
    const get = (credentials: CredentialsMode) => request(credentials, 'GET', ['authorization']);
    expect(preflightCheck(get('omit'), ok([['Access-Control-Allow-Headers', '*']]))).toBe(
      'header authorization not allowed (* never covers Authorization)',
    );
    expect(preflightCheck(get('omit'), ok([]))).toBe('header authorization not allowed');
    expect(preflightCheck(get('omit'), ok([['Access-Control-Allow-Headers', '*, Authorization']]))).toBeNull();
    expect(preflightCheck(get('include'), ok([['Access-Control-Allow-Headers', 'authorization']]))).toBeNull();
  });
});

describe('what the script can read', () => {
  const res = response(200, [
    ['Content-Type', 'application/json'],
    ['Content-Length', '2'],
    ['ETag', 'W/"2"'],
    ['X-Request-Id', 'r1'],
    ['x-request-id', 'r2'],
    ['Set-Cookie', 'sid=1'],
    ['Access-Control-Allow-Origin', ORIGIN],
  ]);
  const withExpose = (value: string) => ({
    ...res,
    rawHeaders: [...res.rawHeaders, 'Access-Control-Expose-Headers', value],
  });

  test('the exposed names, lower-cased; * stands for every name, only without credentials', () => {
    expect(exposedHeaderNames({ credentials: 'omit' }, res)).toEqual([]);
    expect(exposedHeaderNames({ credentials: 'omit' }, withExpose('X-Request-Id, x-request-id, ETag'))).toEqual([
      'x-request-id',
      'etag',
    ]);
    expect(exposedHeaderNames({ credentials: 'omit' }, withExpose('*'))).toEqual([
      'content-type',
      'content-length',
      'etag',
      'x-request-id',
      'set-cookie',
      'access-control-allow-origin',
      'access-control-expose-headers',
    ]);
    expect(exposedHeaderNames({ credentials: 'include' }, withExpose('*'))).toEqual(['*']);
    expect(exposedHeaderNames({ credentials: 'omit' }, withExpose('x-a, "b"'))).toEqual([]);
  });

  test('readable headers: the safelisted ones and the exposed ones, in name order, never Set-Cookie', () => {
    expect(readableHeaders({ credentials: 'omit' }, res)).toEqual({
      'content-length': '2',
      'content-type': 'application/json',
    });
    expect(readableHeaders({ credentials: 'include' }, withExpose('X-Request-Id, Set-Cookie'))).toEqual({
      'content-length': '2',
      'content-type': 'application/json',
      'x-request-id': 'r1, r2',
    });
    expect(Object.keys(readableHeaders({ credentials: 'omit' }, withExpose('*')))).toEqual([
      'access-control-allow-origin',
      'access-control-expose-headers',
      'content-length',
      'content-type',
      'etag',
      'x-request-id',
    ]);
    expect(Object.keys(readableHeaders({ credentials: 'include' }, withExpose('*')))).toEqual([
      'content-length',
      'content-type',
    ]);
  });
});
