import type { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createSampleApp, parseAdapter } from './bootstrap.js';
import { DEFAULT_PAGE_PORT, type CorsSettings } from './cors.config.js';
import { findPublicDir, startPlaygroundServer, type PlaygroundServer } from './playground-server.js';

export const DEFAULT_API_PORT = 3000;

function port(name: string, fallback: number): number {
  const value = process.env[name]?.trim();
  if (!value) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65535) {
    throw new Error(`${name} must be a port number (0 for any free port); got ${JSON.stringify(value)}`);
  }
  return number;
}

/**
 * Starts the API and the playground page on two ports of this machine.
 * Environment: `ADAPTER` (express | fastify), `API_PORT` (3000), `PAGE_PORT`
 * (4200), `HOST` (127.0.0.1); the CORS settings come from `sample/.env` and
 * the environment through `@nestjs/config` (see `sample/.env.example`).
 */
async function main(): Promise<void> {
  const adapter = parseAdapter(process.env.ADAPTER);
  const host = process.env.HOST?.trim() || '127.0.0.1';
  const apiPort = port('API_PORT', DEFAULT_API_PORT);
  const publicDir = findPublicDir();

  let page: PlaygroundServer | undefined;
  let app: INestApplication | undefined;
  const stop = async () => {
    await app?.close();
    await page?.close();
  };
  try {
    page = await startPlaygroundServer({ port: port('PAGE_PORT', DEFAULT_PAGE_PORT), host, publicDir });
    // The default allowed origins follow the page's real port.
    process.env.PAGE_PORT = String(page.port);
    app = await createSampleApp(adapter, undefined, { envFile: join(publicDir, '..', '.env') });
    await app.listen(apiPort, host);
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  const apiUrl = `http://localhost:${(app.getHttpServer().address() as AddressInfo).port}`;
  page.apiUrl = apiUrl;

  const cors = app.get(ConfigService).getOrThrow<CorsSettings>('cors');
  const lines = [
    '',
    `nestjs-cors sample on ${adapter === 'express' ? 'Express' : 'Fastify'}`,
    `  API                     ${apiUrl}`,
    `  Playground              ${page.appOrigin}   <- open this one`,
    `  Same page, other origin ${page.partnerOrigin}`,
    '',
    `  CORS_ORIGINS     ${cors.appOrigins.join(', ')}`,
    `  PARTNER_ORIGINS  ${cors.partnerOrigins.join(', ')}`,
    `  CORS_CREDENTIALS ${cors.credentials}   CORS_DEBUG ${cors.debug}`,
    '',
    'Press Ctrl+C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n'));

  const shutdown = () => {
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  const code = (error as { code?: string }).code;
  const message =
    code === 'EADDRINUSE'
      ? `${(error as Error).message}: that port is taken; choose others with API_PORT and PAGE_PORT.`
      : error instanceof Error
        ? error.message
        : String(error);
  process.stderr.write(`\nThe sample did not start: ${message}\n`);
  process.exit(1);
});
