import { Controller, Get } from '@nestjs/common';
import { Cors } from '../../lib/index.js';

/**
 * A public endpoint: `origin: '*'` answers `Access-Control-Allow-Origin: *` to
 * every origin. Browsers never let a credentialed request read such a
 * response, and nestjs-cors refuses `'*'` together with `credentials: true`,
 * so this level turns off the credentials the module defaults allow.
 */
@Controller('public')
@Cors({ origin: '*', credentials: false })
export class PublicController {
  @Get('status')
  status() {
    return { status: 'operational' };
  }
}
