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

  report(finding: string): void {
    if (this.reported) return;
    this.reported = true;
    this.logger.warn(
      `${finding} Remove app.enableCors() / the cors option of NestFactory.create() (or the other CORS middleware): ` +
        'nestjs-cors answers CORS for every route, and the other layer overwrites its Access-Control-Allow-Origin.',
    );
  }
}
