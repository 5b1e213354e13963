import type { IncomingMessage, Server } from 'node:http';

/** What `GET /stats/preflights` returns. */
export interface PreflightCounts {
  /** Every OPTIONS request the server received. */
  readonly total: number;
  /** The same, by path (query string left out). */
  readonly byPath: Record<string, number>;
}

/**
 * Counts the OPTIONS requests the HTTP server receives, per path, so the
 * playground can show that a browser cached a preflight (`maxAge`).
 *
 * It listens to the Node server's `request` event, the rawest hook there is:
 * nestjs-cors answers preflights in the adapter's own request hook, which both
 * adapters install when they are constructed, so an Express `app.use()` or a
 * Fastify `addHook('onRequest')` added later runs after that answer and never
 * sees an answered preflight. A `request` listener sees every request first,
 * and only reads it, so it cannot change a CORS answer.
 */
export class PreflightCounter {
  private readonly counts = new Map<string, number>();
  private totalCount = 0;

  /** Installs the counter on the app's HTTP server. Call it before `app.init()`. */
  attach(server: Server): void {
    server.prependListener('request', (request: IncomingMessage) => {
      if (request.method === 'OPTIONS') {
        this.record(request.url ?? '/');
      }
    });
  }

  record(url: string): void {
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    this.counts.set(path, (this.counts.get(path) ?? 0) + 1);
    this.totalCount++;
  }

  /** OPTIONS requests received for one path. */
  count(path: string): number {
    return this.counts.get(path) ?? 0;
  }

  get total(): number {
    return this.totalCount;
  }

  snapshot(): PreflightCounts {
    return { total: this.totalCount, byPath: Object.fromEntries(this.counts) };
  }
}
