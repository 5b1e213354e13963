/**
 * Many apps in one process at once, built from the same controller class:
 * eight apps on both adapters boot together (literal and asynchronous
 * options, whose factories resolve in random order; a global prefix on some)
 * and answer interleaved requests from every app's origin, each with an
 * asynchronous origin check or a list. Each app must answer its own origin
 * only, with its own named policy and defaults, on every path: a route
 * policy, a named one, the class policy, `@Cors(false)`, a guard's 401 and a
 * 404. Any state one app left where another reads it shows up as a foreign
 * origin allowed, an own one refused or another app's Max-Age.
 */
import { describe, expect, it } from '@jest/globals';
import {
  Controller,
  Get,
  Module,
  Post,
  UnauthorizedException,
  UseGuards,
  type CanActivate,
  type INestApplication,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';
import { Cors, CorsModule, type CorsModuleOptions } from '../../lib/index.js';
import { headerLines, sendHttp } from '../property/raw-http.js';

const APPS = 8;
const ROUNDS = 3;

class DenyGuard implements CanActivate {
  canActivate(): boolean {
    throw new UnauthorizedException();
  }
}

@Controller('s')
@Cors({ maxAge: 11 })
class SharedController {
  @Get()
  list() {
    return 'list';
  }

  @Get('auth/x')
  @UseGuards(DenyGuard)
  auth() {
    return 'auth';
  }

  @Get('off/x')
  @Cors(false)
  off() {
    return 'off';
  }

  @Post('named')
  @Cors('named')
  named() {
    return 'named';
  }

  @Get(':id')
  @Cors({ maxAge: 12, credentials: true })
  one() {
    return 'one';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface RunningApp {
  readonly app: INestApplication;
  readonly port: number;
  readonly origin: string;
  readonly prefix: string;
  readonly index: number;
}

/** App `index`: its own origin, defaults' and named Max-Age; options literal (even) or from an async factory (odd). */
async function bootApp(index: number): Promise<RunningApp> {
  const origin = `https://app${index}.example`;
  const rest = { maxAge: 100 + index, policies: { named: { maxAge: 200 + index } } };
  const cors =
    index % 2 === 0
      ? CorsModule.forRoot({ origin: [origin], ...rest })
      : CorsModule.forRootAsync({
          useFactory: async (): Promise<CorsModuleOptions> => {
            await sleep(Math.random() * 30);
            return {
              origin: async (requestOrigin: string) => {
                await sleep(Math.random() * 3);
                return requestOrigin === origin;
              },
              ...rest,
            };
          },
        });
  @Module({ imports: [cors], controllers: [SharedController] })
  class AppModule {}
  const adapter = index % 3 === 0 ? new FastifyAdapter() : new ExpressAdapter();
  const app = await NestFactory.create(AppModule, adapter, { logger: false });
  const prefix = index % 4 === 1 ? '/api' : '';
  if (prefix) app.setGlobalPrefix(prefix);
  await app.listen(0, '127.0.0.1');
  return { app, port: (app.getHttpServer().address() as AddressInfo).port, origin, prefix, index };
}

/** Every request of one origin to one app, each checked against what that app alone would answer. */
async function checkApp({ port, prefix, index, origin: own }: RunningApp, origin: string): Promise<void> {
  const allowed = origin === own;
  const ask = (method: string, path: string, lines: Array<[string, string]> = []) =>
    sendHttp(port, method, prefix + path, [['Origin', origin], ...lines]);
  const answer = async (what: string, response: Promise<Awaited<ReturnType<typeof ask>>>, header: string) => {
    const got = await response;
    return { index, origin, what, status: got.status, value: headerLines(got, header) };
  };
  const preflightOf = (method: string): Array<[string, string]> => [['Access-Control-Request-Method', method]];
  const seen = await Promise.all([
    answer('route policy', ask('GET', '/s/7'), 'access-control-allow-credentials'),
    answer('named preflight', ask('OPTIONS', '/s/named', preflightOf('POST')), 'access-control-max-age'),
    answer('class preflight', ask('OPTIONS', '/s', preflightOf('GET')), 'access-control-max-age'),
    answer("guard's 401", ask('GET', '/s/auth/x'), 'access-control-allow-origin'),
    answer('404', ask('GET', '/nothing'), 'access-control-allow-origin'),
    answer('404 preflight', ask('OPTIONS', '/nothing', preflightOf('GET')), 'access-control-max-age'),
    answer('@Cors(false)', ask('GET', '/s/off/x'), 'access-control-allow-origin'),
  ]);
  const expected = (what: string, status: number, value: string) => ({
    index,
    origin,
    what,
    status,
    value: allowed ? [value] : [],
  });
  expect(seen).toEqual([
    expected('route policy', 200, 'true'),
    expected('named preflight', allowed ? 204 : 403, String(200 + index)),
    expected('class preflight', allowed ? 204 : 403, '11'),
    expected("guard's 401", 401, own),
    expected('404', 404, own),
    expected('404 preflight', allowed ? 204 : 403, String(100 + index)),
    { index, origin, what: '@Cors(false)', status: 200, value: [] },
  ]);
}

describe('apps running at once in one process', () => {
  it('each boots with its own options and answers interleaved requests by them alone', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const apps = await Promise.all(Array.from({ length: APPS }, (_, index) => bootApp(index)));
      try {
        await Promise.all(apps.flatMap((app) => apps.map((other) => checkApp(app, other.origin))));
      } finally {
        await Promise.all(apps.map(({ app }) => app.close()));
      }
    }
  }, 120_000);
});
