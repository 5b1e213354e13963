import { GATEWAY_METADATA, GATEWAY_OPTIONS, PORT_METADATA } from '@nestjs/websockets/constants.js';

/**
 * What `@WebSocketGateway(port, options)` declared on a class, read from
 * `@nestjs/websockets`' own metadata keys. The only place that knows them:
 * `test/e2e/websockets-metadata.e2e-spec.ts` fails if Nest changes them.
 */
export interface GatewayDeclaration {
  readonly target: Function;
  /** `0` (or unset): the app's own HTTP server. */
  readonly port: number;
  readonly options: Readonly<Record<string, unknown>>;
}

/** Whether `target` is a class decorated with `@WebSocketGateway()` (as Nest itself tells them). */
export function isGatewayClass(target: Function): boolean {
  return Reflect.hasMetadata(GATEWAY_METADATA, target);
}

/** The port and options a gateway class declares. */
export function readGatewayDeclaration(target: Function): GatewayDeclaration {
  const port = (Reflect.getMetadata(PORT_METADATA, target) as number | undefined) || 0;
  const options = (Reflect.getMetadata(GATEWAY_OPTIONS, target) as Record<string, unknown> | undefined) ?? {};
  return { target, port, options };
}
