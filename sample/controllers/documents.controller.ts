import { Body, Controller, Delete, Get, Headers, Param, Put, Res } from '@nestjs/common';
import { Cors } from '../../lib/index.js';

/** What Express responses and Fastify replies have in common. */
interface HeaderSetter {
  header(name: string, value: string): unknown;
}

/**
 * A controller-level `@Cors()`: every handler here allows GET, PUT and DELETE
 * with the `Content-Type` and `X-Request-Id` request headers, and exposes
 * `X-Request-Id` to scripts. Origins and credentials still come from the
 * module defaults (the fields a level does not set are inherited).
 */
@Controller('documents')
@Cors({
  methods: ['GET', 'PUT', 'DELETE'],
  allowedHeaders: ['Content-Type', 'X-Request-Id'],
  exposedHeaders: ['X-Request-Id'],
})
export class DocumentsController {
  @Get(':id')
  read(@Param('id') id: string) {
    return { id, title: `Document ${id}` };
  }

  /** Preflighted: PUT is not a simple method, and X-Request-Id is a custom header. */
  @Put(':id')
  update(
    @Param('id') id: string,
    @Body() body: { title?: unknown } | undefined,
    @Headers('x-request-id') requestId: string | undefined,
    @Res({ passthrough: true }) response: HeaderSetter,
  ) {
    if (requestId) response.header('X-Request-Id', requestId);
    return { id, updated: true, title: typeof body?.title === 'string' ? body.title : null };
  }

  /**
   * A route-level override: this handler also accepts `X-Delete-Reason`.
   * `allowedHeaders` here replaces the controller's list for this route only,
   * so a PUT that sends `X-Delete-Reason` is still refused. (nestjs-cors
   * answers a preflight with the requested method and headers only, so this
   * answer, cached by the browser per URL, cannot let that PUT skip its own
   * preflight.)
   */
  @Delete(':id')
  @Cors({ allowedHeaders: ['X-Request-Id', 'X-Delete-Reason'] })
  remove(
    @Param('id') id: string,
    @Headers('x-delete-reason') reason: string | undefined,
    @Headers('x-request-id') requestId: string | undefined,
    @Res({ passthrough: true }) response: HeaderSetter,
  ) {
    if (requestId) response.header('X-Request-Id', requestId);
    return { id, deleted: true, reason: reason ?? null };
  }
}
