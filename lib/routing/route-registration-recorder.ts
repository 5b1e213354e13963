import { RequestMethod } from '@nestjs/common';

/** Called for each route Nest registers: the adapter method (`get`, `all`, …), the full path, the handler. */
export type RouteListener = (method: string, path: string, handler: Function) => void;

type RouteMethods = Record<string, unknown>;

/**
 * Watches the routes Nest registers on the HTTP adapter, so that the CORS
 * route table holds exactly the paths the router got: global prefix and its
 * exclusions, URI versions, `RouterModule` paths and the adapter's own path
 * normalisation included, computed by Nest itself.
 *
 * This is the one place that depends on how Nest registers routes rather
 * than on a documented API: Nest calls `httpAdapter.<method>(path, handler)`
 * for every route during `app.init()`, after every `configure()` and before
 * every `onModuleInit()`, and copies the metadata of the controller method to
 * that handler. `CorsModule` checks at boot that routes were seen, and
 * `test/e2e/nest-route-registration.e2e-spec.ts` fails loudly if that changes.
 */
export class RouteRegistrationRecorder {
  private restore: Array<() => void> = [];

  /** The adapter method names Nest uses, derived from the public `RequestMethod` enum. */
  static readonly methodNames: readonly string[] = Object.keys(RequestMethod)
    .filter((key) => Number.isNaN(Number(key)))
    .map((key) => key.toLowerCase());

  start(adapter: object, listener: RouteListener): void {
    this.stop();
    const target = adapter as RouteMethods;
    for (const name of RouteRegistrationRecorder.methodNames) {
      const original = target[name];
      if (typeof original !== 'function') {
        continue;
      }
      const ownDescriptor = Object.getOwnPropertyDescriptor(target, name);
      target[name] = function recordRoute(this: unknown, ...args: unknown[]) {
        const handler = args[args.length - 1];
        if (typeof args[0] === 'string' && typeof handler === 'function') {
          listener(name, args[0], handler);
        }
        return (original as Function).apply(this, args);
      };
      this.restore.push(() => {
        if (ownDescriptor) Object.defineProperty(target, name, ownDescriptor);
        else delete target[name];
      });
    }
  }

  stop(): void {
    for (const undo of this.restore) undo();
    this.restore = [];
  }
}
