import { Controller, Get } from '@nestjs/common';
import { Cors } from '../../lib/index.js';

/**
 * `@Cors(false)`: no cross-origin reads at all. The handler still runs for a
 * simple GET (CORS protects reads, it is not authentication), but the response
 * carries no CORS header, so browsers hide it; preflights get a 403.
 */
@Controller('internal')
@Cors(false)
export class InternalController {
  @Get('health')
  health() {
    return { status: 'ok' };
  }

  /** `@Cors()` on a handler turns CORS back on under a disabled controller, with the inherited fields. */
  @Get('version')
  @Cors()
  version() {
    return { version: '1.0.0' };
  }
}
