import type { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import { CorsIoAdapter } from '../lib/websockets/socket-io.js';
import { AppModule } from './app.module.js';
import type { SampleEnv } from './cors.config.js';
import { PreflightCounter } from './diagnostics/preflight-counter.js';
import { RefusalLog, SampleLogger } from './diagnostics/refusal-log.js';
import { sampleGraphqlModule } from './realtime/graphql.module.js';

export type SampleAdapter = 'express' | 'fastify';

export const SAMPLE_ADAPTERS: readonly SampleAdapter[] = ['express', 'fastify'];

/** Reads `ADAPTER` (default `express`). */
export function parseAdapter(value: string | undefined): SampleAdapter {
  const adapter = (value ?? '').trim().toLowerCase() || 'express';
  if (adapter !== 'express' && adapter !== 'fastify') {
    throw new Error(`ADAPTER must be "express" or "fastify"; got ${JSON.stringify(value)}`);
  }
  return adapter;
}

export interface SampleAppOptions {
  /** `.env` file read when no `env` object is given. */
  readonly envFile?: string;
  /** Levels Nest prints. Default: error, warn and debug (nestjs-cors explains each refusal at debug level). */
  readonly logLevels?: LogLevel[];
}

/**
 * Creates and initializes the sample app on the named adapter, ready for
 * `app.listen()` or supertest.
 *
 * - `env` given: the configuration comes from that object only (tests).
 * - `env` omitted: from `options.envFile` (if it exists) and `process.env`, which wins.
 *
 * The app's `PreflightCounter` and `RefusalLog` are reachable with `app.get()`.
 */
export async function createSampleApp(
  adapter: SampleAdapter,
  env?: SampleEnv,
  options: SampleAppOptions = {},
): Promise<INestApplication> {
  const preflights = new PreflightCounter();
  const refusals = new RefusalLog();
  const module = AppModule.forRoot({
    config: env ? { env } : { envFile: options.envFile ?? 'sample/.env' },
    preflights,
    refusals,
    graphql: await sampleGraphqlModule(adapter),
  });
  const logger = new SampleLogger(refusals, options.logLevels ?? ['error', 'warn', 'debug']);
  const app =
    adapter === 'express'
      ? await NestFactory.create(module, new ExpressAdapter(), { logger, abortOnError: false })
      : await NestFactory.create(module, new FastifyAdapter(), { logger, abortOnError: false });
  // The chat gateway's socket.io server gets its CORS policy (and upgrade check) from nestjs-cors.
  app.useWebSocketAdapter(new CorsIoAdapter(app));
  // Before init(): count every OPTIONS request, preflights nestjs-cors answers included.
  preflights.attach(app.getHttpServer() as Server);
  await app.init();
  if (adapter === 'fastify') {
    await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
  }
  return app;
}
