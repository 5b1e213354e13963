import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';

export type AdapterName = 'express' | 'fastify';

/** Both adapters, for `describe.each`. */
export const ADAPTERS: AdapterName[] = ['express', 'fastify'];

export interface AppOptions {
  /** Runs before `init()`, like code in main.ts (prefix, versioning, enableCors…). */
  setup?: (app: INestApplication) => void;
  /** Keep Nest's logger (default: errors only, so test output stays readable). */
  logger?: false | Array<'log' | 'error' | 'warn' | 'debug' | 'verbose'>;
  bodyLimit?: number;
}

/** Boots a real Nest application on the named adapter. */
export async function createApp(
  adapter: AdapterName,
  metadata: ModuleMetadata,
  options: AppOptions = {},
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  const httpAdapter =
    adapter === 'express'
      ? new ExpressAdapter()
      : new FastifyAdapter(options.bodyLimit ? { bodyLimit: options.bodyLimit } : undefined);
  const app = moduleRef.createNestApplication(httpAdapter, {
    logger: options.logger ?? ['error'],
    ...(adapter === 'express' && options.bodyLimit ? { bodyParser: true } : {}),
  });
  if (adapter === 'express' && options.bodyLimit) {
    (app as unknown as { useBodyParser(type: string, opts: object): void }).useBodyParser('json', {
      limit: options.bodyLimit,
    });
  }
  options.setup?.(app);
  await app.init();
  if (adapter === 'fastify') {
    await (app.getHttpAdapter().getInstance() as { ready(): Promise<void> }).ready();
  }
  return app;
}
