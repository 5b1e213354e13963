import { Controller, Get, Header } from '@nestjs/common';
import { Cors } from '../../lib/index.js';

@Controller('reports')
export class ReportsController {
  /**
   * `exposedHeaders`: scripts on an allowed origin can read `X-Report-Version`;
   * `X-Internal-Trace` is sent too but stays hidden from them.
   */
  @Get('latest')
  @Cors({ exposedHeaders: ['X-Report-Version'] })
  @Header('X-Report-Version', '7')
  @Header('X-Internal-Trace', 'trace-4f2a')
  latest() {
    return { title: 'Weekly report', version: 7 };
  }
}
