import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { IncomingMessage } from 'node:http';
import type { CorsGatewayOptions } from './cors-gateway-options.interface.js';
import { GatewayPolicies } from './gateway-policies.js';
import { explainUpgradeRefusal, judgeUpgrade, type UpgradeRefusal } from './upgrade-check.js';

/** Options of {@link CorsWsAdapter}: those of `WsAdapter`, and the upgrade options. */
export interface CorsWsAdapterOptions extends CorsGatewayOptions {
  /** Passed on to `WsAdapter`. */
  messageParser?: NonNullable<ConstructorParameters<typeof WsAdapter>[1]>['messageParser'];
}

type VerifyInfo = { origin: string; secure: boolean; req: IncomingMessage };
type VerifyCallback = (result: boolean, code?: number, message?: string) => void;
type VerifyClient = ((info: VerifyInfo) => boolean) | ((info: VerifyInfo, callback: VerifyCallback) => void);

/**
 * Nest's `ws` adapter with the CORS policy of each gateway:
 * `app.useWebSocketAdapter(new CorsWsAdapter(app))`, before `app.init()` / `app.listen()`.
 *
 * A WebSocket upgrade from an origin the gateway's policy (its `@Cors(...)`
 * over the CorsModule defaults) refuses gets 403 before the handshake, through
 * ws's `verifyClient`; a `verifyClient` of the gateway's own options runs
 * after this check.
 */
export class CorsWsAdapter extends WsAdapter {
  private readonly policies: GatewayPolicies;

  constructor(app: INestApplicationContext, options: CorsWsAdapterOptions = {}) {
    const { messageParser, ...gatewayOptions } = options;
    super(app, messageParser ? { messageParser } : undefined);
    this.policies = new GatewayPolicies(app, 'ws', 'CorsWsAdapter', gatewayOptions);
  }

  override create(
    port: number,
    options: Record<string, unknown> & { namespace?: string; server?: unknown; path?: string } = {},
  ): unknown {
    const rules = this.policies.rulesFor(port, options.path);
    const debug = this.policies.debugLog;
    const own = options.verifyClient as VerifyClient | undefined;
    const verifyClient = (info: VerifyInfo, callback: VerifyCallback): void => {
      const proceed = (refusal: UpgradeRefusal | undefined): void => {
        if (refusal !== undefined) {
          debug?.(explainUpgradeRefusal(rules, info.req, refusal));
          return callback(false, 403, 'Forbidden');
        }
        if (own === undefined) return callback(true);
        if (own.length >= 2) return (own as (info: VerifyInfo, callback: VerifyCallback) => void)(info, callback);
        callback((own as (info: VerifyInfo) => boolean)(info));
      };
      const verdict = judgeUpgrade(rules, info.req);
      if (verdict instanceof Promise) {
        verdict.then(proceed, () => callback(false, 403, 'Forbidden'));
      } else {
        proceed(verdict);
      }
    };
    return super.create(port, { ...options, verifyClient });
  }
}
