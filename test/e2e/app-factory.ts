import type { INestApplication, LoggerService, LogLevel, ModuleMetadata, NestApplicationOptions } from '@nestjs/common';
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
  logger?: false | LogLevel[] | LoggerService;
  /** More options of the application, as `NestFactory.create()` takes them. */
  application?: Omit<NestApplicationOptions, 'logger'>;
}

/** Boots a real Nest application on the named adapter. */
export async function createApp(
  adapter: AdapterName,
  metadata: ModuleMetadata,
  options: AppOptions = {},
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  const httpAdapter = adapter === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = moduleRef.createNestApplication(httpAdapter, {
    ...options.application,
    logger: options.logger ?? ['error'],
  });
  options.setup?.(app);
  await app.init();
  if (adapter === 'fastify') {
    await (app.getHttpAdapter().getInstance() as { ready(): Promise<void> }).ready();
  }
  return app;
}

/** A logger that keeps every line, to assert what the module logs. */
export class RecordingLogger implements LoggerService {
  readonly lines: Array<{ level: string; message: string; context?: string }> = [];
  private record(level: string, message: unknown, context?: unknown): void {
    this.lines.push({ level, message: String(message), context: typeof context === 'string' ? context : undefined });
  }
  log(message: unknown, context?: unknown) {
    this.record('log', message, context);
  }
  error(message: unknown, _trace?: unknown, context?: unknown) {
    this.record('error', message, context);
  }
  warn(message: unknown, context?: unknown) {
    this.record('warn', message, context);
  }
  debug(message: unknown, context?: unknown) {
    this.record('debug', message, context);
  }
  verbose(message: unknown, context?: unknown) {
    this.record('verbose', message, context);
  }
  /** Messages logged at `level` by the CorsModule context. */
  corsLines(level: string): string[] {
    return this.lines.filter((l) => l.level === level && l.context === 'CorsModule').map((l) => l.message);
  }
}

/** What `start()` rejects with; fails the test if the app started instead. */
export async function bootFailure<E extends Error = Error>(start: () => Promise<INestApplication>): Promise<E> {
  let app: INestApplication;
  try {
    app = await start();
  } catch (error) {
    return error as E;
  }
  await app.close();
  throw new Error('the application started');
}

/** The error an app on `adapter` with this metadata fails to boot with (logger off). */
export function bootError<E extends Error = Error>(
  adapter: AdapterName,
  metadata: ModuleMetadata,
  options: AppOptions = { logger: false },
): Promise<E> {
  return bootFailure<E>(() => createApp(adapter, metadata, options));
}
