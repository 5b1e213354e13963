import { Controller, Get } from '@nestjs/common';
import { RequiresAuth } from '../auth/demo-auth.guard.js';

/**
 * Behind the sample's `APP_GUARD` (`DemoAuthGuard`), under the module
 * defaults. Without `Authorization: Bearer demo` the answer is a 401 the page
 * can read; with it, the browser first sends a preflight (Authorization is
 * not a simple header), which nestjs-cors answers before any guard runs.
 */
@Controller('account')
@RequiresAuth()
export class AccountController {
  @Get('profile')
  profile() {
    return { user: 'demo', plan: 'free' };
  }
}
