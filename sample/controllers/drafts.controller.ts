import { Body, Controller, Param, Put } from '@nestjs/common';
import { Cors } from '../../lib/index.js';

/** Preflighted requests (PUT with `X-Draft-Token`) whose preflights browsers may cache. */
@Controller('drafts')
@Cors({ allowedHeaders: ['Content-Type', 'X-Draft-Token'] })
export class DraftsController {
  /**
   * `maxAge: 600`: the browser reuses the preflight answer for 10 minutes
   * (Chromium caps it at 2 hours), so autosaving every few seconds costs one
   * preflight, not one per save.
   */
  @Put(':id')
  @Cors({ maxAge: 600 })
  save(@Param('id') id: string, @Body() body: { text?: unknown } | undefined) {
    return { id, saved: true, length: typeof body?.text === 'string' ? body.text.length : 0 };
  }

  /** `maxAge: 0`: the browser must not cache the preflight; every save sends one. */
  @Put(':id/uncached')
  @Cors({ maxAge: 0 })
  saveUncached(@Param('id') id: string, @Body() body: { text?: unknown } | undefined) {
    return { id, saved: true, length: typeof body?.text === 'string' ? body.text.length : 0 };
  }
}
