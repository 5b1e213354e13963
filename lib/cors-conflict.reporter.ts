import { Injectable, Logger } from '@nestjs/common';

/**
 * Reports, once per application, that another CORS layer (`app.enableCors()`,
 * the `cors` option of `NestFactory.create()`, a CORS middleware) is active as
 * well: found at bootstrap or on the first response it changed.
 */
@Injectable()
export class CorsConflictReporter {
  private readonly logger = new Logger('CorsModule');
  private reported = false;

  /**
   * Looks for `app.enableCors()` on the server instance: the `cors`
   * middleware in Express's stack, or the `OPTIONS *` route `@fastify/cors`
   * adds. Called once, on the first request, when every plugin has loaded.
   */
  inspect(instance: unknown): void {
    const server = instance as {
      router?: { stack?: Array<{ name?: string }> };
      hasRoute?: (route: { method: string; url: string }) => boolean;
    };
    const express = server?.router?.stack?.some((layer) => layer.name === 'corsMiddleware') ?? false;
    const fastify = typeof server?.hasRoute === 'function' && server.hasRoute({ method: 'OPTIONS', url: '/*' });
    if (express || fastify) {
      this.report('app.enableCors() (or the cors option of NestFactory.create()) is active as well.');
    }
  }

  report(finding: string): void {
    if (this.reported) return;
    this.reported = true;
    this.logger.warn(
      `${finding} Remove app.enableCors() / the cors option of NestFactory.create() (or the other CORS middleware): ` +
        'nestjs-cors answers CORS for every route, and the other layer overwrites its Access-Control-Allow-Origin.',
    );
  }
}
