import { Controller, Get } from '@nestjs/common';
import { Cors } from '../../lib/index.js';

/**
 * A named policy, declared once in `CorsModule.forRootAsync({ useFactory })`
 * from `PARTNER_ORIGINS`: our origins plus the partners', GET only, no
 * credentials. `@Cors('partners')` can go on any controller or handler.
 */
@Controller('partners')
@Cors('partners')
export class PartnersController {
  @Get('catalog')
  catalog() {
    return { products: ['Widget', 'Gadget'], currency: 'EUR' };
  }
}
