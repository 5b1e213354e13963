import { afterEach, describe, expect, it } from '@jest/globals';
import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { GraphQLModule, Query, Resolver } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import request from 'supertest';
import { Cors, CorsModule, type CorsModuleOptions } from '../../lib/index.js';
import { createApp, RecordingLogger, type AdapterName } from './app-factory.js';
import { corsHeaders, expectNoCorsHeaders, preflight, varyOf } from './http-helpers.js';

/** The front-end the module defaults admit. */
const APP = 'https://app.example.com';
/** The only origin the `graphql` named policy admits. */
const STUDIO = 'https://studio.example.org';
const EVIL = 'https://evil.example.net';
const QUERY = JSON.stringify({ query: '{ hello }' });

@Resolver()
class HelloResolver {
  @Query(() => String)
  hello(): string {
    return 'world';
  }
}

/** GraphQL the way each adapter serves it: Apollo (`app.use('/graphql')`) on Express, Mercurius (a route) on Fastify. */
function graphqlModule(adapter: AdapterName) {
  return adapter === 'express'
    ? GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, autoSchemaFile: true })
    : GraphQLModule.forRoot<MercuriusDriverConfig>({ driver: MercuriusDriver, autoSchemaFile: true });
}

const SERVERS: Array<[AdapterName, string]> = [
  ['express', 'Apollo'],
  ['fastify', 'Mercurius'],
];

/** Module defaults: APP, no credentials; the `graphql` policy replaces origin and credentials and exposes X-Trace-Id. */
const DEFAULTS: CorsModuleOptions = {
  origin: APP,
  exposedHeaders: ['X-Default-Exposed'],
  policies: {
    graphql: { origin: STUDIO, credentials: true, exposedHeaders: ['X-Trace-Id'], maxAge: 300 },
  },
};

describe.each(SERVERS)('paths on a GraphQL endpoint (%s, %s)', (adapter) => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function start(options: CorsModuleOptions, metadata: ModuleMetadata = {}, logger?: RecordingLogger) {
    app = await createApp(
      adapter,
      {
        imports: [CorsModule.forRoot(options), graphqlModule(adapter)],
        providers: [HelloResolver],
        ...metadata,
      },
      logger ? { logger } : {},
    );
    return app;
  }

  const post = (nest: INestApplication, origin?: string, path = '/graphql') => {
    const req = request(nest.getHttpServer()).post(path).set('Content-Type', 'application/json');
    if (origin) req.set('Origin', origin);
    return req.send(QUERY);
  };

  /** A GET query; Apollo's CSRF prevention wants a header that forces a preflight, Mercurius takes it as is. */
  const get = (nest: INestApplication, origin: string) =>
    request(nest.getHttpServer())
      .get('/graphql?query=%7B%20hello%20%7D')
      .set('Origin', origin)
      .set('apollo-require-preflight', 'true');

  describe("paths: { '/graphql': 'graphql' } (a named policy)", () => {
    const options: CorsModuleOptions = { ...DEFAULTS, paths: { '/graphql': 'graphql' } };

    it('answers the JSON POST preflight from the policy, not from the module defaults', async () => {
      const nest = await start(options);
      const res = await preflight(nest, '/graphql', STUDIO, 'POST', {
        'Access-Control-Request-Headers': 'content-type',
      });
      expect(res.status).toBe(204);
      expect(corsHeaders(res)).toEqual({
        'access-control-allow-origin': STUDIO,
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': 'content-type',
        'access-control-max-age': '300',
      });
      expect(varyOf(res)).toEqual(['Origin', 'Access-Control-Request-Method', 'Access-Control-Request-Headers']);
      expect(res.text).toBe('');
    });

    it('answers the preflight of a GET query that carries apollo-require-preflight', async () => {
      const nest = await start(options);
      const res = await preflight(nest, '/graphql?query=%7Bhello%7D', STUDIO, 'GET', {
        'Access-Control-Request-Headers': 'apollo-require-preflight',
      });
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(STUDIO);
      expect(res.headers['access-control-allow-methods']).toBe('GET');
      expect(res.headers['access-control-allow-headers']).toBe('apollo-require-preflight');
    });

    it('answers the POST query with exactly one set of CORS headers (the GraphQL server adds none)', async () => {
      const nest = await start(options);
      const res = await post(nest, STUDIO);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ data: { hello: 'world' } });
      expect(corsHeaders(res)).toEqual({
        'access-control-allow-origin': STUDIO,
        'access-control-allow-credentials': 'true',
        'access-control-expose-headers': 'X-Trace-Id',
      });
      expect(varyOf(res)).toEqual(['Origin']);
    });

    it('answers the GET query the same way', async () => {
      const nest = await start(options);
      const res = await get(nest, STUDIO);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ data: { hello: 'world' } });
      expect(corsHeaders(res)).toEqual({
        'access-control-allow-origin': STUDIO,
        'access-control-allow-credentials': 'true',
        'access-control-expose-headers': 'X-Trace-Id',
      });
      expect(varyOf(res)).toEqual(['Origin']);
    });

    it('refuses a preflight from an origin the policy does not list (even one the defaults admit) with a bare 403', async () => {
      const nest = await start(options);
      for (const origin of [APP, EVIL]) {
        const res = await preflight(nest, '/graphql', origin, 'POST', {
          'Access-Control-Request-Headers': 'content-type',
        });
        expect(res.status).toBe(403);
        expectNoCorsHeaders(res);
        expect(res.text).toBe('');
      }
    });

    it('gives a refused origin the query result without any Access-Control-* header', async () => {
      const nest = await start(options);
      const res = await post(nest, EVIL);
      expect(res.status).toBe(200);
      expectNoCorsHeaders(res);
      expect(varyOf(res)).toEqual(['Origin']);
    });

    it('leaves the module defaults on the other unrouted paths', async () => {
      const nest = await start(options);
      const res = await request(nest.getHttpServer()).get('/no-such-route').set('Origin', APP);
      expect(res.status).toBe(404);
      expect(corsHeaders(res)).toEqual({
        'access-control-allow-origin': APP,
        'access-control-expose-headers': 'X-Default-Exposed',
      });
    });

    it('lists the paths row in report()', async () => {
      const nest = await start(options);
      const { CorsPolicyRegistry } = await import('../../lib/cors-policy.registry.js');
      const rows = nest.get(CorsPolicyRegistry).report();
      expect(rows.at(-2)).toMatchObject({ method: '*', path: '/graphql', origins: [STUDIO], credentials: true });
      expect(rows.at(-1)).toMatchObject({ method: '*', path: '(no route)', origins: [APP] });
    });
  });

  it('without a paths entry, /graphql follows the module defaults', async () => {
    const nest = await start(DEFAULTS);
    const allowed = await preflight(nest, '/graphql', APP, 'POST', {
      'Access-Control-Request-Headers': 'content-type',
    });
    expect(allowed.status).toBe(204);
    expect(corsHeaders(allowed)).toEqual({
      'access-control-allow-origin': APP,
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'content-type',
    });
    const actual = await post(nest, APP);
    expect(actual.status).toBe(200);
    expect(corsHeaders(actual)).toEqual({
      'access-control-allow-origin': APP,
      'access-control-expose-headers': 'X-Default-Exposed',
    });
    const studio = await preflight(nest, '/graphql', STUDIO, 'POST', {
      'Access-Control-Request-Headers': 'content-type',
    });
    expect(studio.status).toBe(403);
    expectNoCorsHeaders(studio);
  });

  it("paths: { '/graphql': false } turns CORS off there: no header from the module nor from the GraphQL server", async () => {
    const nest = await start({ ...DEFAULTS, paths: { '/graphql': false } });
    const actual = await post(nest, APP);
    expect(actual.status).toBe(200);
    expect(actual.body).toEqual({ data: { hello: 'world' } });
    expectNoCorsHeaders(actual);
    expect(actual.headers['vary']).toBeUndefined();
    const pre = await preflight(nest, '/graphql', APP, 'POST', { 'Access-Control-Request-Headers': 'content-type' });
    expect(pre.status).toBe(403);
    expectNoCorsHeaders(pre);
  });

  it('paths with fields merges them over the module defaults', async () => {
    const nest = await start({
      ...DEFAULTS,
      credentials: true,
      paths: { '/graphql': { origin: [APP, STUDIO], methods: ['GET', 'POST'] } },
    });
    const pre = await preflight(nest, '/graphql', STUDIO, 'POST', { 'Access-Control-Request-Headers': 'content-type' });
    expect(pre.status).toBe(204);
    expect(corsHeaders(pre)).toEqual({
      'access-control-allow-origin': STUDIO,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'content-type',
    });
    const actual = await post(nest, STUDIO);
    expect(corsHeaders(actual)).toEqual({
      'access-control-allow-origin': STUDIO,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'X-Default-Exposed',
    });
    const put = await preflight(nest, '/graphql', STUDIO, 'PUT');
    expect(put.status).toBe(403);
    expectNoCorsHeaders(put);
  });

  it('warns at boot that @Cors on a resolver has no effect and points to paths', async () => {
    @Resolver()
    @Cors({ origin: STUDIO })
    class DecoratedResolver {
      @Query(() => String)
      hello(): string {
        return 'world';
      }
    }
    const logger = new RecordingLogger();
    await start(DEFAULTS, { providers: [DecoratedResolver] }, logger);
    expect(logger.corsLines('warn')).toEqual([
      '@Cors() on DecoratedResolver has no effect: it is not an HTTP controller. ' +
        'For a GraphQL endpoint (resolvers), give its path a policy with the `paths` option of CorsModule; ' +
        "for a WebSocket gateway, use CorsIoAdapter or CorsWsAdapter from 'nestjs-cors/websockets'.",
    ]);
  });

  it('names the resolver methods when @Cors sits on them', async () => {
    @Resolver()
    class MethodResolver {
      @Query(() => String)
      @Cors('graphql')
      hello(): string {
        return 'world';
      }
    }
    const logger = new RecordingLogger();
    await start(DEFAULTS, { providers: [MethodResolver] }, logger);
    expect(logger.corsLines('warn')).toEqual([
      '@Cors() on MethodResolver.hello has no effect: it is not an HTTP controller. ' +
        'For a GraphQL endpoint (resolvers), give its path a policy with the `paths` option of CorsModule; ' +
        "for a WebSocket gateway, use CorsIoAdapter or CorsWsAdapter from 'nestjs-cors/websockets'.",
    ]);
  });
});
