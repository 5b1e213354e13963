import { Controller, Get } from '@nestjs/common';
import { Cors } from '../../lib/index.js';

@Controller('ops')
export class OpsController {
  /**
   * A route-level policy with its own origin: the ops console, served from
   * 127.0.0.1 on any port (`'http://127.0.0.1:*'`), may read this; our own
   * front-end on localhost may not, though the module defaults allow it elsewhere.
   */
  @Get('metrics')
  @Cors({ origin: 'http://127.0.0.1:*' })
  metrics() {
    return { requestsPerMinute: 42, errorRate: 0.01 };
  }
}
