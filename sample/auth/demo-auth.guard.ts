import {
  Injectable,
  SetMetadata,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';

const REQUIRES_AUTH = 'sample:requires-auth';

/** Marks a controller or handler as reachable only with `Authorization: Bearer demo`. */
export const RequiresAuth = (): ClassDecorator & MethodDecorator => SetMetadata(REQUIRES_AUTH, true);

/** The only token the demo accepts. */
export const DEMO_TOKEN = 'demo';

/**
 * A stand-in for real authentication, registered as an `APP_GUARD`: routes
 * marked `@RequiresAuth()` answer 401 unless the request carries
 * `Authorization: Bearer demo`.
 *
 * It shows two things about nestjs-cors: preflights never reach guards (a
 * browser sends them without the `Authorization` header, so a guard would
 * refuse them), and the 401 still carries the CORS headers, so the page can
 * read why it was refused instead of seeing a network error.
 */
@Injectable()
export class DemoAuthGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const required = this.reflector.getAllAndOverride<boolean | undefined>(REQUIRES_AUTH, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!required) return true;
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>();
    if (request.headers.authorization === `Bearer ${DEMO_TOKEN}`) return true;
    throw new UnauthorizedException(`Send "Authorization: Bearer ${DEMO_TOKEN}" to read this profile`);
  }
}
