import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { CorsGatewayOptions } from './cors-gateway-options.interface.js';
import { engineCorsMiddleware } from './engine-cors.middleware.js';
import { GatewayPolicies } from './gateway-policies.js';

// socket.io's types, as IoAdapter uses them (no import of socket.io itself: it is IoAdapter's dependency, not ours).
type ServerOptions = NonNullable<Parameters<IoAdapter['createIOServer']>[1]>;
type Server = ReturnType<IoAdapter['createIOServer']>;

/**
 * Nest's socket.io adapter with the CORS policy of each gateway:
 * `app.useWebSocketAdapter(new CorsIoAdapter(app))`, before `app.init()` / `app.listen()`.
 *
 * A gateway's policy is its class's `@Cors(...)` merged over the CorsModule
 * defaults (or the defaults alone), validated at boot like a controller's.
 * Its long-polling requests get exactly the CORS answer of that policy, and a
 * WebSocket upgrade from an origin the policy refuses gets 403 before the
 * handshake (Cross-Site WebSocket Hijacking). socket.io's own `cors` option is
 * refused at boot: it would be a second CORS layer.
 *
 * Subclass it as you would `IoAdapter` (e.g. a Redis adapter calling
 * `super.createIOServer()`); the CORS layer is added in `createIOServer`.
 */
export class CorsIoAdapter extends IoAdapter {
  private readonly policies: GatewayPolicies;

  constructor(app: INestApplicationContext, options: CorsGatewayOptions = {}) {
    super(app);
    this.policies = new GatewayPolicies(app, 'socket.io', 'CorsIoAdapter', options);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const rules = this.policies.rulesFor(port, options?.path);
    // Refused at boot when a gateway declares it; never passed on (engine.io would add the `cors` package).
    const { cors: _cors, ...withoutCors } = options ?? ({} as ServerOptions);
    const server = super.createIOServer(port, withoutCors as ServerOptions);
    server.engine.use(engineCorsMiddleware(rules, this.policies.debugLog));
    return server;
  }
}
