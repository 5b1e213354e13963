import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Module, type INestApplication } from '@nestjs/common';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { NestFactory } from '@nestjs/core';
import { GraphQLModule, Query, Resolver } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ServeStaticModule } from '@nestjs/serve-static';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorsModule } from '../../lib/index.js';
import { ADAPTERS, type AdapterName } from './app-factory.js';
import { listen, sendRequest } from './websockets-clients.js';

/**
 * The servers behind `paths` do not read the raw path: Express mounts
 * (Apollo, serve-static) are case-insensitive and take `//`, `..` and `%XX`
 * the way serve-static resolves files; Fastify's router decodes `%XX`; both
 * take absolute-form targets. Every spelling under which a server hands out
 * the private file or the GraphQL answer must get the `false` policy of
 * its pattern, never the module defaults (which admit APP with credentials).
 */

const APP = 'https://app.example.com';
const SECRET = 'not for other sites';

@Resolver()
class HelloResolver {
  @Query(() => String)
  hello(): string {
    return 'world';
  }
}

const FILE_SPELLINGS = [
  '/assets/private/notes.txt',
  '/assets/%70rivate/notes.txt',
  '/%61ssets/private/notes.txt',
  '/ASSETS/private/notes.txt',
  '/assets//private/notes.txt',
  '/assets/x/../private/notes.txt',
  '/assets/private%2Fnotes.txt',
  'http://api.example.com/assets/private/notes.txt',
];
const GRAPHQL_SPELLINGS = [
  '/graphql',
  '/graphql/',
  '/GRAPHQL',
  '/graph%71l',
  '/graphql/x',
  'http://api.example.com/graphql',
];

/** The spellings each server serves (so that the CORS assertions below cover every one of them). */
const SERVED: Record<AdapterName, { files: string[]; graphql: string[] }> = {
  express: {
    files: [
      '/assets/private/notes.txt',
      '/assets/%70rivate/notes.txt',
      '/ASSETS/private/notes.txt',
      '/assets//private/notes.txt',
      '/assets/x/../private/notes.txt',
      '/assets/private%2Fnotes.txt',
      'http://api.example.com/assets/private/notes.txt',
    ],
    graphql: ['/graphql', '/graphql/', '/GRAPHQL', '/graphql/x', 'http://api.example.com/graphql'],
  },
  fastify: {
    files: [
      '/assets/private/notes.txt',
      '/assets/%70rivate/notes.txt',
      '/%61ssets/private/notes.txt',
      'http://api.example.com/assets/private/notes.txt',
    ],
    graphql: ['/graphql', '/graph%71l', 'http://api.example.com/graphql'],
  },
};

describe.each(ADAPTERS)('paths under every spelling the server serves (%s)', (adapter) => {
  let app: INestApplication;
  let port: number;
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'nestjs-cors-spellings-'));
    mkdirSync(join(root, 'private'));
    writeFileSync(join(root, 'private', 'notes.txt'), SECRET);
    @Module({
      imports: [
        CorsModule.forRoot({
          origin: APP,
          credentials: true,
          paths: { '/assets/private/*': false, '/graphql/*': false },
        }),
        ServeStaticModule.forRoot({ rootPath: root, serveRoot: '/assets' }),
        adapter === 'express'
          ? GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, autoSchemaFile: true })
          : GraphQLModule.forRoot<MercuriusDriverConfig>({ driver: MercuriusDriver, autoSchemaFile: true }),
      ],
      providers: [HelloResolver],
    })
    class SpellingsModule {}
    // NestFactory: ServeStaticModule serves nothing in a testing module (see paths-static-files).
    app = await NestFactory.create(
      SpellingsModule,
      adapter === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
      { logger: ['error'] },
    );
    port = await listen(app);
  });
  afterAll(async () => {
    await app?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('hands out the private file under exactly the expected spellings, never with a CORS header', async () => {
    const served: string[] = [];
    for (const path of FILE_SPELLINGS) {
      const answer = await sendRequest(port, 'GET', path, { Origin: APP });
      if (answer.status === 200 && answer.body === SECRET) {
        served.push(path);
        expect([path, answer.headers['access-control-allow-origin']]).toEqual([path, undefined]);
        expect([path, answer.headers['access-control-allow-credentials']]).toEqual([path, undefined]);
      }
    }
    expect(served).toEqual(SERVED[adapter].files);
  });

  it('answers GraphQL under exactly the expected spellings, never with a CORS header', async () => {
    const served: string[] = [];
    for (const path of GRAPHQL_SPELLINGS) {
      const answer = await sendRequest(
        port,
        'POST',
        path,
        { Origin: APP, 'Content-Type': 'application/json' },
        JSON.stringify({ query: '{ hello }' }),
      );
      if (answer.status === 200 && answer.body.includes('"hello":"world"')) {
        served.push(path);
        expect([path, answer.headers['access-control-allow-origin']]).toEqual([path, undefined]);
      }
    }
    expect(served).toEqual(SERVED[adapter].graphql);
  });

  it('refuses the preflight under every spelling of the private prefix', async () => {
    for (const path of FILE_SPELLINGS) {
      const answer = await sendRequest(port, 'OPTIONS', path, { Origin: APP, 'Access-Control-Request-Method': 'GET' });
      expect([path, answer.status, answer.headers['access-control-allow-origin']]).toEqual([path, 403, undefined]);
    }
  });
});
