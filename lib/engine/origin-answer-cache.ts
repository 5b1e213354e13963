import { LRUCache } from 'lru-cache';
import { parseSerializedOrigin } from './origin-syntax.js';

/** One origin function's answers: settled booleans, and the pending promise while a call is in flight. */
export type OriginAnswerStore = LRUCache<string, boolean | Promise<boolean>>;

/**
 * The answers of every asynchronous origin function of an application, one
 * bounded LRU store per function, kept together so that one origin (a
 * tenant just removed) or all of them can be forgotten at once. The compiled
 * matchers get it through `AsyncOriginSettings.cache`.
 */
export class OriginAnswerCache {
  private readonly stores = new Set<OriginAnswerStore>();

  /** A new store for one origin function, dropped by {@link forget} and {@link clear} like the others. */
  createStore(size: number, ttlMs: number): OriginAnswerStore {
    const store: OriginAnswerStore = new LRUCache({ max: size, ttl: ttlMs });
    this.stores.add(store);
    return store;
  }

  /**
   * Drops the answer for `origin` (and a call in flight for it) from every
   * store: the next request from it asks the origin function again. Written
   * as browsers send it (`https://tenant.example.com`); a URL or another
   * spelling of the same origin (`https://Tenant.example.com/`) is reduced to
   * that form first.
   */
  forget(origin: string): void {
    const serialized = serializedForm(origin);
    for (const store of this.stores) {
      store.delete(origin);
      if (serialized !== undefined) store.delete(serialized);
    }
  }

  /** Drops every answer of every origin function. */
  clear(): void {
    for (const store of this.stores) store.clear();
  }
}

function serializedForm(origin: string): string | undefined {
  if (parseSerializedOrigin(origin)) return origin;
  try {
    const serialized = new URL(origin).origin;
    return serialized === 'null' ? undefined : serialized;
  } catch {
    return undefined;
  }
}
