import { describe, expect, it } from '@jest/globals';
import { DEFAULT_METHODS } from '../../lib/cors.constants.js';
import { compilePolicy, disabledPolicy } from '../../lib/engine/compiled-policy.js';
import {
  appendVary,
  checkPreflightRequest,
  clearCorsHeaders,
  CORS_RESPONSE_HEADERS,
  isOriginAllowed,
  REFUSED_DISABLED,
  REFUSED_ORIGIN,
  writeActualHeaders,
  writeOriginIndependentHeaders,
  writePreflightHeaders,
} from '../../lib/engine/cors-decision.js';
import { compiled, FakeHeaders, fakeRequest, merged } from './helpers.js';

const ORIGIN = 'https://app.example.com';
const request = fakeRequest();

describe('compilePolicy', () => {
  it('pre-computes every value of a typical policy', () => {
    const policy = compilePolicy(
      merged(
        ['module options', { origin: [ORIGIN, 'https://*.example.org'], maxAge: 600 }],
        [
          'UsersController.create',
          {
            methods: 'get, patch, POST',
            allowedHeaders: ['Content-Type', 'X-Api-Key'],
            exposedHeaders: 'X-Total-Count, X-Page',
            credentials: true,
            optionsSuccessStatus: 200,
          },
        ],
      ),
      'UsersController.create',
    );
    expect(policy.enabled).toBe(true);
    expect(policy.label).toBe('UsersController.create');
    expect(policy.wildcardOrigin).toBe(false);
    expect(policy.varyOnOrigin).toBe(true);
    expect(policy.credentials).toBe(true);
    expect(policy.anyMethod).toBe(false);
    expect([...policy.methods]).toEqual(['GET', 'patch', 'POST']);
    expect(policy.allowMethodsValue).toBe('GET, patch, POST');
    expect(policy.requestHeaders.anyWellFormed).toBe(false);
    expect(policy.requestHeaders.wildcard).toBe(false);
    expect([...policy.requestHeaders.names]).toEqual(['content-type', 'x-api-key']);
    expect(policy.allowHeadersValue).toBe('Content-Type, X-Api-Key');
    expect(policy.exposeHeadersValue).toBe('X-Total-Count, X-Page');
    expect(policy.maxAgeValue).toBe('600');
    expect(policy.optionsSuccessStatus).toBe(200);
    expect(policy.preflightContinue).toBe(false);
    expect(policy.allowPrivateNetwork).toBe(false);
    expect(policy.rejectDisallowedOrigins).toBe(false);
    expect(policy.preflightVary).toBe('Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
    expect(policy.merged.sources.methods).toBe('UsersController.create');
    expect(policy.merged.sources.maxAge).toBe('module options');
  });

  it('uses the defaults for unset fields', () => {
    const policy = compiled({ origin: ORIGIN });
    expect(policy.allowMethodsValue).toBe('GET, HEAD, PUT, PATCH, POST, DELETE');
    expect([...policy.methods]).toEqual(DEFAULT_METHODS);
    expect(policy.credentials).toBe(false);
    expect(policy.requestHeaders.anyWellFormed).toBe(true);
    expect(policy.allowHeadersValue).toBeUndefined();
    expect(policy.exposeHeadersValue).toBeUndefined();
    expect(policy.maxAgeValue).toBeUndefined();
    expect(policy.optionsSuccessStatus).toBe(204);
    expect(policy.preflightContinue).toBe(false);
  });

  it('"*" without credentials answers with a wildcard and does not vary on Origin', () => {
    const policy = compiled({ origin: '*' });
    expect(policy.wildcardOrigin).toBe(true);
    expect(policy.varyOnOrigin).toBe(false);
    expect(policy.preflightVary).toBe('Access-Control-Request-Method, Access-Control-Request-Headers');
  });

  it('private network access adds its request header to the preflight Vary', () => {
    expect(compiled({ origin: ORIGIN, allowPrivateNetwork: true }).preflightVary).toBe(
      'Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network',
    );
  });

  it('"*" in methods and allowedHeaders sets the wildcards', () => {
    const policy = compiled({ origin: ORIGIN, methods: '*', allowedHeaders: ['*', 'Authorization'] });
    expect(policy.anyMethod).toBe(true);
    expect([...policy.methods]).toEqual([]);
    expect(policy.allowMethodsValue).toBe('*');
    expect(policy.requestHeaders.wildcard).toBe(true);
    expect([...policy.requestHeaders.names]).toEqual(['*', 'authorization']);
    expect(policy.allowHeadersValue).toBe('*, Authorization');
  });

  it('maxAge 0 is sent as "0"', () => {
    expect(compiled({ origin: ORIGIN, maxAge: 0 }).maxAgeValue).toBe('0');
  });

  it('a policy without any origin compiles to a disabled one that keeps its label and merge', () => {
    const m = merged(['module options', { methods: ['GET'], credentials: true }]);
    const policy = compilePolicy(m, 'HealthController.check');
    expect(policy.enabled).toBe(false);
    expect(policy.label).toBe('HealthController.check');
    expect(policy.merged).toBe(m);
    expect(policy.origins.none).toBe(true);
    expect(policy.credentials).toBe(false);
    expect(policy.allowMethodsValue).toBe('');
  });

  it('an empty origin list compiles to a disabled policy', () => {
    expect(compiled({ origin: [] }).enabled).toBe(false);
  });

  it('is frozen, and so is its request-header rule', () => {
    const policy = compiled({ origin: ORIGIN, allowedHeaders: 'x-a' });
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.requestHeaders)).toBe(true);
    expect(() => {
      (policy as { enabled: boolean }).enabled = false;
    }).toThrow(TypeError);
    expect(policy.enabled).toBe(true);
  });
});

describe('disabledPolicy', () => {
  it('is off, frozen, and matches no origin', () => {
    const policy = disabledPolicy('module options');
    expect(policy.enabled).toBe(false);
    expect(policy.label).toBe('module options');
    expect(policy.merged).toEqual({ fields: {}, sources: {}, ranks: {} });
    expect(Object.isFrozen(policy)).toBe(true);
    expect(policy.origins.none).toBe(true);
    expect(policy.origins.matches(ORIGIN, request)).toBe(false);
    expect(isOriginAllowed(policy, ORIGIN, request)).toBe(false);
  });

  it('writes nothing for a request without Origin', () => {
    const headers = new FakeHeaders();
    writeOriginIndependentHeaders(disabledPolicy('x'), headers);
    expect(headers.toObject()).toEqual({});
  });
});

describe('isOriginAllowed', () => {
  it('asks the matcher of an enabled policy', () => {
    const policy = compiled({ origin: ORIGIN });
    expect(isOriginAllowed(policy, ORIGIN, request)).toBe(true);
    expect(isOriginAllowed(policy, 'https://evil.com', request)).toBe(false);
  });

  it('passes on an asynchronous answer', async () => {
    const policy = compiled({ origin: async (origin: string) => origin === ORIGIN });
    await expect(isOriginAllowed(policy, ORIGIN, request)).resolves.toBe(true);
    await expect(isOriginAllowed(policy, 'https://evil.com', request)).resolves.toBe(false);
  });
});

describe('refusal constants', () => {
  it('are frozen and name their check', () => {
    expect(REFUSED_DISABLED).toEqual({ check: 'disabled' });
    expect(REFUSED_ORIGIN).toEqual({ check: 'origin' });
    expect(Object.isFrozen(REFUSED_DISABLED)).toBe(true);
    expect(Object.isFrozen(REFUSED_ORIGIN)).toBe(true);
  });
});

describe('writeActualHeaders', () => {
  it('reflects the origin and varies on it', () => {
    const headers = new FakeHeaders();
    writeActualHeaders(compiled({ origin: ORIGIN }), ORIGIN, headers);
    expect(headers.toObject()).toEqual({ 'access-control-allow-origin': ORIGIN, vary: 'Origin' });
  });

  it('answers "*" for a wildcard policy, without Vary', () => {
    const headers = new FakeHeaders();
    writeActualHeaders(compiled({ origin: '*' }), ORIGIN, headers);
    expect(headers.toObject()).toEqual({ 'access-control-allow-origin': '*' });
  });

  it('sends credentials and exposed headers when configured', () => {
    const headers = new FakeHeaders({ 'Content-Type': 'application/json' });
    writeActualHeaders(
      compiled({ origin: ORIGIN, credentials: true, exposedHeaders: ['X-Total-Count', 'X-Page'] }),
      ORIGIN,
      headers,
    );
    expect(headers.toObject()).toEqual({
      'content-type': 'application/json',
      'access-control-allow-origin': ORIGIN,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'X-Total-Count, X-Page',
      vary: 'Origin',
    });
  });

  it('adds Origin to an existing Vary', () => {
    const headers = new FakeHeaders({ Vary: 'Accept-Encoding' });
    writeActualHeaders(compiled({ origin: ORIGIN }), ORIGIN, headers);
    expect(headers.getHeader('vary')).toBe('Accept-Encoding, Origin');
  });
});

describe('writeOriginIndependentHeaders', () => {
  it('writes only Vary: Origin for a policy that depends on the origin', () => {
    const headers = new FakeHeaders();
    writeOriginIndependentHeaders(compiled({ origin: ORIGIN, exposedHeaders: 'X-A', credentials: true }), headers);
    expect(headers.toObject()).toEqual({ vary: 'Origin' });
  });

  it('writes the wildcard headers of a public policy, so caches can share the response', () => {
    const headers = new FakeHeaders();
    writeOriginIndependentHeaders(compiled({ origin: '*', exposedHeaders: ['X-A', 'X-B'] }), headers);
    expect(headers.toObject()).toEqual({
      'access-control-allow-origin': '*',
      'access-control-expose-headers': 'X-A, X-B',
    });
  });

  it('writes only Access-Control-Allow-Origin for a public policy without exposed headers', () => {
    const headers = new FakeHeaders();
    writeOriginIndependentHeaders(compiled({ origin: '*' }), headers);
    expect(headers.toObject()).toEqual({ 'access-control-allow-origin': '*' });
  });
});

describe('writePreflightHeaders', () => {
  it('names only the requested method and headers, and varies on the request headers', () => {
    const headers = new FakeHeaders();
    writePreflightHeaders(compiled({ origin: ORIGIN }), ORIGIN, 'PUT', 'x-api-key, content-type', false, headers);
    expect(headers.toObject()).toEqual({
      'access-control-allow-origin': ORIGIN,
      'access-control-allow-methods': 'PUT',
      'access-control-allow-headers': 'x-api-key, content-type',
      vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    });
  });

  it('writes no Access-Control-Allow-Headers when nothing is requested', () => {
    const headers = new FakeHeaders();
    writePreflightHeaders(compiled({ origin: ORIGIN }), ORIGIN, 'GET', undefined, false, headers);
    expect(headers.getHeader('access-control-allow-headers')).toBeUndefined();
    const empty = new FakeHeaders();
    writePreflightHeaders(compiled({ origin: ORIGIN }), ORIGIN, 'GET', '', false, empty);
    expect(empty.getHeader('access-control-allow-headers')).toBeUndefined();
    const configured = new FakeHeaders();
    writePreflightHeaders(
      compiled({ origin: ORIGIN, allowedHeaders: ['X-A'] }),
      ORIGIN,
      'GET',
      undefined,
      false,
      configured,
    );
    expect(configured.getHeader('access-control-allow-headers')).toBeUndefined();
  });

  it('never widens the answer to the whole configured lists (browsers cache it per URL, not per method)', () => {
    const headers = new FakeHeaders();
    writePreflightHeaders(
      compiled({ origin: ORIGIN, methods: ['GET', 'PUT', 'DELETE'], allowedHeaders: 'Content-Type, X-Api-Key' }),
      ORIGIN,
      'DELETE',
      'x-api-key',
      false,
      headers,
    );
    expect(headers.getHeader('access-control-allow-methods')).toBe('DELETE');
    expect(headers.getHeader('access-control-allow-headers')).toBe('x-api-key');
  });

  it('writes everything a full policy configures', () => {
    const headers = new FakeHeaders();
    writePreflightHeaders(
      compiled({
        origin: ORIGIN,
        credentials: true,
        methods: ['GET', 'POST'],
        allowedHeaders: ['Content-Type'],
        exposedHeaders: ['X-Total'],
        maxAge: 7200,
        allowPrivateNetwork: true,
      }),
      ORIGIN,
      'POST',
      'content-type',
      true,
      headers,
    );
    expect(headers.toObject()).toEqual({
      'access-control-allow-origin': ORIGIN,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'content-type',
      'access-control-max-age': '7200',
      'access-control-allow-private-network': 'true',
      vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network',
    });
  });

  it('does not answer private network access when it was not requested', () => {
    const headers = new FakeHeaders();
    writePreflightHeaders(
      compiled({ origin: ORIGIN, allowPrivateNetwork: true }),
      ORIGIN,
      'GET',
      undefined,
      false,
      headers,
    );
    expect(headers.getHeader('access-control-allow-private-network')).toBeUndefined();
  });

  it('answers "*" and leaves Origin out of Vary for a wildcard policy', () => {
    const headers = new FakeHeaders();
    writePreflightHeaders(compiled({ origin: '*', maxAge: 0 }), ORIGIN, 'PATCH', undefined, false, headers);
    expect(headers.toObject()).toEqual({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'PATCH',
      'access-control-max-age': '0',
      vary: 'Access-Control-Request-Method, Access-Control-Request-Headers',
    });
  });
});

describe('appendVary', () => {
  it('sets Vary when there is none, or an empty one', () => {
    const none = new FakeHeaders();
    appendVary(none, 'Origin');
    expect(none.toObject()).toEqual({ vary: 'Origin' });
    const empty = new FakeHeaders({ Vary: '' });
    appendVary(empty, 'Origin, Access-Control-Request-Method');
    expect(empty.toObject()).toEqual({ vary: 'Origin, Access-Control-Request-Method' });
  });

  it('keeps the values already there', () => {
    const headers = new FakeHeaders({ Vary: 'Accept-Encoding, Accept-Language' });
    appendVary(headers, 'Origin');
    expect(headers.getHeader('vary')).toBe('Accept-Encoding, Accept-Language, Origin');
  });

  it('never repeats a name, whatever its case', () => {
    const headers = new FakeHeaders({ Vary: 'accept-encoding,origin' });
    appendVary(headers, 'Origin');
    expect(headers.getHeader('vary')).toBe('accept-encoding,origin');
    appendVary(headers, 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
    expect(headers.getHeader('vary')).toBe(
      'accept-encoding,origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    );
    appendVary(headers, 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
    expect(headers.getHeader('vary')).toBe(
      'accept-encoding,origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    );
  });

  it('adds only the missing names of a list', () => {
    const headers = new FakeHeaders({ Vary: 'ACCESS-CONTROL-REQUEST-HEADERS' });
    appendVary(headers, 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
    expect(headers.getHeader('vary')).toBe('ACCESS-CONTROL-REQUEST-HEADERS, Origin, Access-Control-Request-Method');
  });

  it('leaves "*" alone', () => {
    const headers = new FakeHeaders({ Vary: '*' });
    appendVary(headers, 'Origin');
    expect(headers.getHeader('vary')).toBe('*');
    const spaced = new FakeHeaders({ Vary: ' * ' });
    appendVary(spaced, 'Origin');
    expect(spaced.getHeader('vary')).toBe(' * ');
  });

  it('joins an array value and appends to it', () => {
    const headers = new FakeHeaders({ Vary: ['Accept-Encoding', 'Cookie'] });
    appendVary(headers, 'Origin');
    expect(headers.getHeader('vary')).toBe('Accept-Encoding, Cookie, Origin');
  });

  it('leaves an array value that already has the name untouched', () => {
    const value = ['Accept-Encoding', 'Origin'];
    const headers = new FakeHeaders({ Vary: value });
    appendVary(headers, 'origin');
    expect(headers.getHeader('vary')).toBe(value);
  });
});

describe('clearCorsHeaders', () => {
  it('removes every CORS response header and nothing else', () => {
    const headers = new FakeHeaders({
      'Access-Control-Allow-Origin': ORIGIN,
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Expose-Headers': 'X-A',
      'Access-Control-Allow-Methods': 'GET',
      'Access-Control-Allow-Headers': 'X-B',
      'Access-Control-Max-Age': '5',
      'Access-Control-Allow-Private-Network': 'true',
      Vary: 'Origin',
      'Content-Type': 'text/plain',
    });
    clearCorsHeaders(headers);
    expect(headers.toObject()).toEqual({ vary: 'Origin', 'content-type': 'text/plain' });
  });

  it('lists exactly the seven headers the module writes', () => {
    expect([...CORS_RESPONSE_HEADERS]).toEqual([
      'access-control-allow-origin',
      'access-control-allow-credentials',
      'access-control-expose-headers',
      'access-control-allow-methods',
      'access-control-allow-headers',
      'access-control-max-age',
      'access-control-allow-private-network',
    ]);
  });
});

describe('checkPreflightRequest', () => {
  const policy = compiled({ origin: ORIGIN, methods: ['GET', 'POST', 'patch'], allowedHeaders: ['Content-Type'] });

  it('allows a listed method with listed headers', () => {
    expect(checkPreflightRequest(policy, 'POST', 'content-type', false)).toBeUndefined();
    expect(checkPreflightRequest(policy, 'patch', undefined, false)).toBeUndefined();
    expect(checkPreflightRequest(policy, 'GET', '', false)).toBeUndefined();
  });

  it('refuses a method not listed, case-sensitively', () => {
    expect(checkPreflightRequest(policy, 'DELETE', undefined, false)).toEqual({ check: 'method', detail: 'DELETE' });
    expect(checkPreflightRequest(policy, 'PATCH', undefined, false)).toEqual({ check: 'method', detail: 'PATCH' });
    expect(checkPreflightRequest(policy, 'post', undefined, false)).toEqual({ check: 'method', detail: 'post' });
  });

  it('does not echo a malformed method', () => {
    expect(checkPreflightRequest(policy, 'GE T', undefined, false)).toEqual({ check: 'method', detail: '(malformed)' });
    expect(checkPreflightRequest(policy, '', undefined, false)).toEqual({ check: 'method', detail: '(malformed)' });
  });

  it('refuses a header not listed, naming it lower-cased', () => {
    expect(checkPreflightRequest(policy, 'POST', 'Content-Type, X-Secret', false)).toEqual({
      check: 'headers',
      detail: 'x-secret',
    });
  });

  it('refuses malformed and over-long header lists without echoing them', () => {
    expect(checkPreflightRequest(policy, 'POST', 'a b', false)).toEqual({ check: 'headers', detail: '(malformed)' });
    expect(checkPreflightRequest(policy, 'POST', ','.repeat(16 * 1024), false)).toEqual({
      check: 'headers',
      detail: '(too-long)',
    });
  });

  it('refuses private network access unless allowed', () => {
    expect(checkPreflightRequest(policy, 'GET', undefined, true)).toEqual({ check: 'private-network' });
    const allowed = compiled({ origin: ORIGIN, allowPrivateNetwork: true });
    expect(checkPreflightRequest(allowed, 'GET', undefined, true)).toBeUndefined();
  });

  it('checks the method first, then the headers, then private network', () => {
    expect(checkPreflightRequest(policy, 'DELETE', 'x-secret', true)).toEqual({ check: 'method', detail: 'DELETE' });
    expect(checkPreflightRequest(policy, 'GET', 'x-secret', true)).toEqual({ check: 'headers', detail: 'x-secret' });
  });

  it('"*" methods allow any well-formed method', () => {
    const any = compiled({ origin: ORIGIN, methods: '*' });
    expect(checkPreflightRequest(any, 'PROPFIND', undefined, false)).toBeUndefined();
    expect(checkPreflightRequest(any, 'delete', undefined, false)).toBeUndefined();
    expect(checkPreflightRequest(any, 'GE T', undefined, false)).toEqual({ check: 'method', detail: '(malformed)' });
  });

  it('the default methods do not include OPTIONS or custom methods', () => {
    const defaults = compiled({ origin: ORIGIN });
    expect(checkPreflightRequest(defaults, 'PATCH', undefined, false)).toBeUndefined();
    expect(checkPreflightRequest(defaults, 'OPTIONS', undefined, false)).toEqual({
      check: 'method',
      detail: 'OPTIONS',
    });
    expect(checkPreflightRequest(defaults, 'PROPFIND', undefined, false)).toEqual({
      check: 'method',
      detail: 'PROPFIND',
    });
  });

  it('unset allowedHeaders allow any well-formed header', () => {
    const defaults = compiled({ origin: ORIGIN });
    expect(checkPreflightRequest(defaults, 'GET', 'x-anything, authorization', false)).toBeUndefined();
  });

  it('"*" allowedHeaders allow any header but authorization', () => {
    const wildcard = compiled({ origin: ORIGIN, allowedHeaders: '*' });
    expect(checkPreflightRequest(wildcard, 'GET', 'x-anything', false)).toBeUndefined();
    expect(checkPreflightRequest(wildcard, 'GET', 'x-anything, Authorization', false)).toEqual({
      check: 'headers',
      detail: 'authorization',
    });
  });
});
