import { SetMetadata } from '@nestjs/common';
import { CORS_METADATA } from '../cors.constants.js';
import type { CorsPolicyReference } from '../interfaces/cors-policy.interface.js';

/**
 * Declares the CORS policy of a controller (every handler in it) or of one
 * handler. Checked at boot; a mistake stops the app with its location.
 *
 * - `@Cors({ origin: 'https://app.example.com', credentials: true })`: these
 *   fields replace the same fields of the less specific level (route over
 *   controller over module defaults); unset fields are inherited.
 * - `@Cors('partners')`: the fields of a policy named in `CorsModule.forRoot({ policies })`.
 * - `@Cors(false)`: CORS off here. Preflights are refused with 403 and
 *   responses carry no CORS header. A route-level `@Cors(...)` under a
 *   disabled controller turns it back on for that route.
 * - `@Cors()`: CORS on here with the inherited fields (undoes `@Cors(false)` above).
 */
export const Cors = (policy: CorsPolicyReference = {}): ClassDecorator & MethodDecorator =>
  SetMetadata(CORS_METADATA, policy);
