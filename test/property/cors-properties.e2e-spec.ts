/**
 * Property tests: the library, through a real Nest app on Express and
 * Fastify, held to the testing kit's model of the browser (lib/testing, from
 * the Fetch standard, proven against Chromium by the browser suite) and to
 * what each policy allows (policy-model.ts, from the README).
 *
 * Booting an app per policy would be slow, so a fixed, seeded set of policies
 * becomes one route each (`/p0` … `/p19`) of ONE app per adapter; then, per
 * route, fast-check generates browser requests (origin, method, requested
 * headers, credentials mode) and checks every answer. Deterministic: fixed
 * seeds, bounded runs.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { All, Controller, type INestApplication, type Type } from '@nestjs/common';
import fc from 'fast-check';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Cors, CorsModule, type CorsPolicy } from '../../lib/index.js';
import { ADAPTERS, createApp } from '../e2e/app-factory.js';
import {
  corsCheck,
  corsFetch,
  exposedHeaderNames,
  preflightCheck,
  type PreflightCheckRequest,
} from '../../lib/testing/index.js';
import {
  classifyEntry,
  DEFAULT_METHODS,
  isPublic,
  mayNameInAllowOrigin,
  nameList,
  originEntries,
  parseOrigin,
  policyAllowsPreflight,
  policyAllowsRead,
  serializeOrigin,
  type PolicyDescription,
} from './policy-model.js';
import { corsHeaderNames, headerLines, sendHttp, varyNames, type HeaderLines, type RawResponse } from './raw-http.js';

const POLICY_SEED = 0x5eed_c025;
const REQUEST_SEED = 0x0c0_ffee;
const SAMPLED_POLICIES = 16;
const RUNS_PER_ROUTE = 50;

// ---------------------------------------------------------------------------
// Policies

/** Exact origins safe with credentials (https, or loopback http). */
const SECURE_ORIGINS = [
  'https://app.example.com',
  'https://admin.example.com',
  'https://partner.example.net',
  'https://example.org:8443',
  'https://xn--bcher-kva.example',
  'http://localhost:3000',
  'http://127.0.0.1:8080',
];
const SECURE_PATTERNS = [
  'https://*.example.com',
  'https://*.preview.example.com',
  'https://*.tenant.test:8443',
  'https://*.wild.test:*',
  'http://localhost:*',
  'http://*.localhost',
];
/** Entries the validator refuses with credentials. */
const INSECURE_ENTRIES = ['http://plain.example.com', 'http://*.example.org', 'null'];

const METHOD_POOL = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'PURGE'];
const ALLOWED_HEADER_POOL = ['Content-Type', 'X-Api-Key', 'Authorization', 'X-Requested-With'];
const EXPOSED_HEADER_POOL = ['X-Request-Id', 'X-Total-Count', 'ETag'];

function policyArbitrary(credentials: boolean): fc.Arbitrary<PolicyDescription> {
  const entries = credentials
    ? [...SECURE_ORIGINS, ...SECURE_PATTERNS]
    : [...SECURE_ORIGINS, ...SECURE_PATTERNS, ...INSECURE_ENTRIES];
  const entryList = fc.shuffledSubarray(entries, { minLength: 1, maxLength: 4 });
  const origin: fc.Arbitrary<string | string[]> = credentials
    ? fc.oneof(entryList, fc.constantFrom(...entries))
    : fc.oneof({ arbitrary: entryList, weight: 4 }, fc.constantFrom(...entries), fc.constant('*'));
  const methodList = fc.subarray(METHOD_POOL, { minLength: 1 });
  const methods: fc.Arbitrary<string | string[]> = fc.oneof(
    methodList,
    methodList.map((list) => list.join(', ')),
    ...(credentials ? [] : [fc.constant('*')]),
  );
  const allowedHeaders: fc.Arbitrary<string | string[]> = fc.oneof(
    fc.subarray(ALLOWED_HEADER_POOL),
    ...(credentials ? [] : [fc.constant('*'), fc.constant<string[]>(['*', 'Authorization'])]),
  );
  return fc.record(
    {
      origin,
      credentials: fc.constant(credentials),
      methods,
      allowedHeaders,
      exposedHeaders: fc.subarray(EXPOSED_HEADER_POOL, { minLength: 1 }),
      maxAge: fc.integer({ min: 0, max: 86_400 }),
      optionsSuccessStatus: fc.constantFrom(200, 204),
    },
    { requiredKeys: ['origin', 'credentials'] },
  );
}

/** A few policies every run covers, then seeded samples. */
const POLICIES: PolicyDescription[] = [
  { origin: '*' },
  {
    origin: ['https://app.example.com', 'https://*.preview.example.com'],
    credentials: true,
    allowedHeaders: ['Content-Type', 'Authorization'],
    exposedHeaders: ['X-Request-Id'],
    maxAge: 600,
  },
  { origin: '*', methods: '*', allowedHeaders: '*', exposedHeaders: ['ETag'] },
  {
    origin: ['null', 'http://localhost:*', 'https://*.wild.test:*'],
    methods: ['PUT', 'PURGE'],
    allowedHeaders: ['*', 'Authorization'],
  },
  ...fc.sample(fc.boolean().chain(policyArbitrary), { seed: POLICY_SEED, numRuns: SAMPLED_POLICIES }),
];

/** One controller per policy, at `/p<index>`, every method: `@Controller() @Cors(policy) class { @All() handle() }`. */
function controllerFor(index: number, policy: PolicyDescription): Type {
  const name = `Policy${index}Controller`;
  const Class = {
    [name]: class {
      handle() {
        return { ok: true };
      }
    },
  }[name];
  const descriptor = Object.getOwnPropertyDescriptor(Class.prototype, 'handle')!;
  All()(Class.prototype, 'handle', descriptor);
  Cors(policy as CorsPolicy)(Class);
  Controller(`p${index}`)(Class);
  return Class;
}

// ---------------------------------------------------------------------------
// Requests

const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?$/).filter((l) => !l.includes('--'));
const labels = fc.array(fc.oneof(label, fc.constant('xn--bcher-kva')), { minLength: 1, maxLength: 4 });
const port = fc.integer({ min: 1, max: 65_535 });
const otherScheme = (scheme: string) => (scheme === 'https' ? 'http' : 'https');

/**
 * Origins a browser could send, drawn around what the policy lists: origins
 * it allows (weighted up), near misses (apex, look-alikes, other scheme or
 * port, a subdomain of an exact origin) and strangers (random, `null`).
 */
function originArbitrary(policy: PolicyDescription): fc.Arbitrary<string> {
  const strangers: fc.Arbitrary<string>[] = [
    fc.constant('null'),
    fc.constantFrom(
      'https://example.com.evil.net',
      'https://app.example.com.evil.net',
      'https://evil-example.com',
      'https://evil.example',
      'http://app.example.com',
      'https://app.example.com:444',
    ),
    fc
      .tuple(fc.constantFrom('http', 'https'), fc.domain(), fc.option(port, { nil: undefined }))
      .map(([s, h, p]) => serializeOrigin(s, h.toLowerCase(), p)),
  ];
  const listed: fc.Arbitrary<string>[] = [];
  const nearMisses: fc.Arbitrary<string>[] = [];
  for (const entry of originEntries(policy)) {
    const spec = classifyEntry(entry);
    if (spec.kind === 'exact') {
      listed.push(fc.constant(spec.origin));
      const parsed = parseOrigin(spec.origin);
      if (parsed) {
        const { scheme, host } = parsed;
        nearMisses.push(
          fc.constant(serializeOrigin(scheme, `${host}.evil.net`, parsed.port)),
          fc.constant(serializeOrigin(otherScheme(scheme), host, parsed.port)),
          port.map((p) => serializeOrigin(scheme, host, p)),
          labels.map((ls) => serializeOrigin(scheme, `${ls.join('.')}.${host}`, parsed.port)),
        );
      }
    } else if (spec.kind === 'subdomains') {
      const { scheme, base } = spec;
      const portOf = spec.port === '*' ? fc.option(port, { nil: undefined }) : fc.constant(spec.port);
      // Subdomains, deep ones included (1 to 4 labels).
      listed.push(fc.tuple(labels, portOf).map(([ls, p]) => serializeOrigin(scheme, `${ls.join('.')}.${base}`, p)));
      nearMisses.push(
        portOf.map((p) => serializeOrigin(scheme, base, p)), // the apex
        fc.tuple(labels, portOf).map(([ls, p]) => serializeOrigin(scheme, `${ls.join('.')}.${base}.evil.net`, p)),
        portOf.map((p) => serializeOrigin(scheme, `evil${base}`, p)),
        fc.tuple(labels, portOf).map(([ls, p]) => serializeOrigin(otherScheme(scheme), `${ls.join('.')}.${base}`, p)),
        fc.tuple(labels, port).map(([ls, p]) => serializeOrigin(scheme, `${ls.join('.')}.${base}`, p)),
      );
    } else if (spec.kind === 'any-port') {
      const { scheme, host } = spec;
      listed.push(fc.option(port, { nil: undefined }).map((p) => serializeOrigin(scheme, host, p)));
      nearMisses.push(
        port.map((p) => serializeOrigin(otherScheme(scheme), host, p)),
        fc.tuple(labels, port).map(([ls, p]) => serializeOrigin(scheme, `${ls.join('.')}.${host}`, p)),
      );
    }
  }
  const weighted = [
    ...(listed.length > 0 ? [{ arbitrary: fc.oneof(...listed), weight: 3 }] : []),
    ...(nearMisses.length > 0 ? [{ arbitrary: fc.oneof(...nearMisses), weight: 2 }] : []),
    { arbitrary: fc.oneof(...strangers), weight: 1 },
  ];
  return fc.oneof(...weighted).filter((origin) => origin === 'null' || parseOrigin(origin) !== undefined);
}

/** What a browser sends: lower-cased, sorted, comma-joined unsafe names (Fetch "CORS-unsafe request-header names"). */
const REQUEST_HEADER_POOL = ['authorization', 'content-type', 'x-api-key', 'x-requested-with', 'x-trace-id'];

/** Methods every route's handler (`@All()`) answers on both adapters, for the whole-fetch property (e). */
const FETCH_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

interface GeneratedRequest extends PreflightCheckRequest {
  /** Method of the actual (non-preflight) request. */
  readonly actualMethod: string;
}

function requestArbitrary(policy: PolicyDescription): fc.Arbitrary<GeneratedRequest> {
  // Half the time from what the policy lists, so that allowed preflights are common too.
  const listedMethods = nameList(policy.methods ?? DEFAULT_METHODS).filter((m) => m !== '*');
  const listedHeaders = nameList(policy.allowedHeaders)
    .filter((h) => h !== '*')
    .map((h) => h.toLowerCase());
  return fc.record({
    origin: originArbitrary(policy),
    credentials: fc.constantFrom('omit', 'include') as fc.Arbitrary<'omit' | 'include'>,
    method: fc.oneof(
      ...(listedMethods.length > 0 ? [fc.constantFrom(...listedMethods)] : []),
      fc.constantFrom(...METHOD_POOL, 'patch', 'OPTIONS'),
    ),
    unsafeHeaderNames: fc.oneof(fc.subarray(listedHeaders), fc.subarray(REQUEST_HEADER_POOL)),
    actualMethod: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE'),
  });
}

// ---------------------------------------------------------------------------
// Checks every response must pass

function describeResponse(res: RawResponse): string {
  const lines: string[] = [];
  for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
  return `${res.status}\n${lines.join('\n')}`;
}

/** (c) no disallowed origin named, (d) `Vary: Origin` when the answer depends on it, (e) one ACAO line at most. */
function expectSoundHeaders(policy: PolicyDescription, origin: string | undefined, res: RawResponse): void {
  const acao = headerLines(res, 'access-control-allow-origin');
  expect(acao.length).toBeLessThanOrEqual(1);
  expect(headerLines(res, 'access-control-allow-credentials').length).toBeLessThanOrEqual(1);
  if (acao.length === 1 && !mayNameInAllowOrigin(policy, origin, acao[0])) {
    throw new Error(`Access-Control-Allow-Origin names ${JSON.stringify(acao[0])}:\n${describeResponse(res)}`);
  }
  if (!isPublic(policy)) {
    expect(varyNames(res)).toContain('origin');
  }
}

// ---------------------------------------------------------------------------

describe.each(ADAPTERS)('CORS properties against the browser model (%s)', (adapter) => {
  let app: INestApplication;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    app = await createApp(adapter, {
      imports: [CorsModule.forRoot({})],
      controllers: POLICIES.map((policy, index) => controllerFor(index, policy)),
    });
    await app.listen(0, '127.0.0.1');
    server = app.getHttpServer() as Server;
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => app.close());

  const send = (method: string, path: string, headers: HeaderLines) => sendHttp(port, method, path, headers);
  let fastifyAllMethods: ReadonlySet<string> = new Set();
  beforeAll(() => {
    if (adapter === 'fastify') {
      const instance = app.getHttpAdapter().getInstance() as { supportedMethods: string[] };
      fastifyAllMethods = new Set(instance.supportedMethods);
    }
  });

  it.each(POLICIES.map((policy, index) => [index, JSON.stringify(policy), policy] as const))(
    '/p%i %s',
    async (index, _json, policy) => {
      const path = `/p${index}`;
      await fc.assert(
        fc.asyncProperty(requestArbitrary(policy), async (request) => {
          const { origin, credentials, method, unsafeHeaderNames } = request;

          // (a) Preflight: the browser lets the request go exactly when the policy allows it.
          const requestHeaders = [...unsafeHeaderNames].sort().join(',');
          const pre = await send('OPTIONS', path, [
            ['Origin', origin],
            ['Access-Control-Request-Method', method],
            ...(requestHeaders ? [['Access-Control-Request-Headers', requestHeaders] as const] : []),
          ]);
          // The verdict is that of the handler the actual request reaches: Fastify's `@All()` serves only
          // the methods the instance supports (not PURGE), so a PURGE request gets the 404 and the defaults.
          const served = adapter === 'express' || fastifyAllMethods.has(method);
          const allowsPreflight = served && policyAllowsPreflight(policy, request);
          const preflightFailure = preflightCheck(request, pre);
          if ((preflightFailure === null) !== allowsPreflight) {
            throw new Error(
              `preflight ${method} [${requestHeaders}] from ${origin} (${credentials}): policy ` +
                `${allowsPreflight ? 'allows' : 'refuses'}, browser ` +
                `${allowsPreflight ? `refused (${preflightFailure})` : 'accepted'}:\n${describeResponse(pre)}`,
            );
          }
          if (pre.status === 403) {
            expect(corsHeaderNames(pre)).toEqual([]); // a refused preflight carries no Access-Control-* header
          }
          expectSoundHeaders(policy, origin, pre);
          expect(varyNames(pre)).toEqual(
            expect.arrayContaining(['access-control-request-method', 'access-control-request-headers']),
          );

          // (b) Actual request: the CORS check passes exactly when the origin (and credentials) are allowed.
          const actual = await send(request.actualMethod, path, [
            ['Origin', origin],
            ['Content-Length', '0'],
            ...(credentials === 'include' ? [['Cookie', 'sid=1'] as const] : []),
          ]);
          expect(actual.status).toBeLessThan(300);
          const allowsRead = policyAllowsRead(policy, request);
          const readFailure = corsCheck(request, actual);
          if ((readFailure === null) !== allowsRead) {
            throw new Error(
              `${request.actualMethod} from ${origin} (${credentials}): policy ${allowsRead ? 'allows' : 'refuses'} ` +
                `the read, browser ${allowsRead ? `refused (${readFailure})` : 'allowed'} it:\n${describeResponse(actual)}`,
            );
          }
          if (allowsRead) {
            const exposed = exposedHeaderNames(request, actual);
            for (const name of policy.exposedHeaders ?? []) expect(exposed).toContain(name.toLowerCase());
          }
          expectSoundHeaders(policy, origin, actual);

          // (e) The whole fetch() through corsFetch(): readable exactly when the policy allows the read and,
          // when the request needs a preflight (a method other than GET/HEAD/POST, or any of these headers,
          // all given CORS-unsafe values), the preflight too.
          const fetchMethod = FETCH_METHODS.includes(method) ? method : request.actualMethod;
          const fetchHeaders = unsafeHeaderNames.map(
            (name) => [name, name === 'content-type' ? 'application/json' : 'v'] as const,
          );
          const needsPreflight = !['GET', 'HEAD', 'POST'].includes(fetchMethod) || fetchHeaders.length > 0;
          const fetched = await corsFetch(server, {
            origin,
            credentials,
            method: fetchMethod,
            path,
            headers: fetchHeaders,
          });
          expect(fetched.preflight !== undefined).toBe(needsPreflight);
          const fetchServed = adapter === 'express' || fastifyAllMethods.has(fetchMethod);
          const allowsFetch =
            allowsRead &&
            (!needsPreflight || (fetchServed && policyAllowsPreflight(policy, { ...request, method: fetchMethod })));
          if (fetched.readable !== allowsFetch) {
            throw new Error(
              `corsFetch ${fetchMethod} [${requestHeaders}] from ${origin} (${credentials}): policy ` +
                `${allowsFetch ? 'allows' : 'refuses'} it, kit says ${fetched.readable ? 'readable' : fetched.reason}`,
            );
          }

          // (d) Without Origin: still `Vary: Origin` where the answer depends on it; `*` only for a public policy.
          const plain = await send('GET', path, []);
          expectSoundHeaders(policy, undefined, plain);
          expect(headerLines(plain, 'access-control-allow-origin')).toEqual(isPublic(policy) ? ['*'] : []);
        }),
        { seed: REQUEST_SEED + index, numRuns: RUNS_PER_ROUTE },
      );
    },
  );
});
