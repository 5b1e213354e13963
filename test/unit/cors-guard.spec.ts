import { describe, expect, it } from '@jest/globals';
import type { ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { CorsGuard } from '../../lib/cors.guard.js';
import type { CorsPolicyRegistry } from '../../lib/cors-policy.registry.js';
import type { CorsRequestHook } from '../../lib/cors-request.hook.js';
import { CORS_POLICY, HttpExchange, type CorsIncomingMessage } from '../../lib/http/http-exchange.js';
import type { HandlerEntry } from '../../lib/policies/handler-entry.interface.js';
import { compiled, FakeHeaders } from './helpers.js';

/**
 * The guard's contract with the early layer: a decision made with the
 * handler's own policy, or with one that answers alike (the module defaults
 * for a handler whose `@Cors()` sets nothing), stands; any other is redone.
 */
const APP = 'https://app.example.com';
class Controller {}
function handler() {}

function guardFor(entry: Partial<HandlerEntry>, { noWork = false, installed = true } = {}) {
  const registry = { entryFor: () => entry, guardHasNoWork: noWork } as unknown as CorsPolicyRegistry;
  const hook = { httpExchange: new HttpExchange(false), installed } as unknown as CorsRequestHook;
  return new CorsGuard(registry, hook);
}

function contextOf(raw: CorsIncomingMessage, response: FakeHeaders): ExecutionContext {
  return {
    getType: () => 'http',
    getClass: () => Controller,
    getHandler: () => handler,
    getArgByIndex: (index: number) => [raw, response, undefined][index],
  } as unknown as ExecutionContext;
}

function requestFrom(origin: string, decided: unknown): CorsIncomingMessage {
  const raw = { method: 'GET', url: '/x', headers: { origin } } as unknown as CorsIncomingMessage;
  (raw as unknown as Record<symbol, unknown>)[CORS_POLICY] = decided;
  return raw as IncomingMessage as CorsIncomingMessage;
}

describe('CorsGuard: which decisions of the early layer stand', () => {
  const defaults = compiled({ origin: [APP], credentials: true });
  const own = compiled({ origin: [APP], credentials: true });
  const stricter = compiled({ origin: ['https://other.example.com'] });
  const written = () => new FakeHeaders({ 'access-control-allow-origin': APP, vary: 'Origin' });

  it('keeps a decision made with an equivalent policy: no header is touched', () => {
    const response = written();
    const removed: string[] = [];
    const remove = response.removeHeader.bind(response);
    response.removeHeader = (name: string) => {
      removed.push(name);
      remove(name);
    };
    const guard = guardFor({ policy: own, equivalentPolicy: defaults, mayOverwriteVary: false });
    expect(guard.canActivate(contextOf(requestFrom(APP, defaults), response))).toBe(true);
    expect(removed).toEqual([]);
    expect(response.getHeader('access-control-allow-origin')).toBe(APP);
  });

  it('redoes a decision made with another policy: the handler’s own answer replaces it', () => {
    const response = written();
    const guard = guardFor({ policy: stricter, equivalentPolicy: stricter, mayOverwriteVary: false });
    expect(guard.canActivate(contextOf(requestFrom(APP, defaults), response))).toBe(true);
    expect(response.getHeader('access-control-allow-origin')).toBeUndefined();
  });
});

describe('CorsGuard: one policy app-wide with nothing to check', () => {
  const defaults = compiled({ origin: [APP], credentials: true });
  const untouchable = {
    getType: () => {
      throw new Error('the guard read the context');
    },
  } as unknown as ExecutionContext;

  it('lets every request through without reading it, when the early layer runs', () => {
    const guard = guardFor({ policy: defaults, equivalentPolicy: defaults }, { noWork: true });
    expect(guard.canActivate(untouchable)).toBe(true);
  });

  it('still answers from the handler’s policy when the early layer is not installed', () => {
    const response = new FakeHeaders({});
    const guard = guardFor(
      { policy: defaults, equivalentPolicy: defaults, mayOverwriteVary: false },
      { noWork: true, installed: false },
    );
    expect(guard.canActivate(contextOf(requestFrom(APP, undefined), response))).toBe(true);
    expect(response.getHeader('access-control-allow-origin')).toBe(APP);
  });
});
