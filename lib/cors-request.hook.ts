import { Injectable, Logger } from '@nestjs/common';
import { CorsPolicyRegistry, NoOriginWork } from './cors-policy.registry.js';
import type { CompiledPolicy } from './engine/compiled-policy.js';
import {
  answerActualRequest,
  appendVary,
  checkPreflightRequest,
  REFUSED_DISABLED,
  REFUSED_ORIGIN,
  writePreflightHeaders,
  type CorsRefusal,
  type HeaderTarget,
} from './engine/cors-decision.js';
import { explainRefusal } from './engine/refusal-explainer.js';
import { ACCESS_HEADERS } from './http/cors-response-repair.js';
import { HttpExchange, recordDecision, type CorsIncomingMessage } from './http/http-exchange.js';
import { watchNotFoundHandler } from './http/not-found-watch.js';
import { RequestHookSlot, type RequestHook, type RequestHookHost } from './http/request-hook-slot.js';
import type { RouteCandidate } from './routing/route-candidate.js';
import type { RequestRouter } from './routing/request-router.js';

type Done = (error?: unknown) => void;

const FORBIDDEN = 403;

/** The parts of a preflight request the checks read. */
interface Preflight {
  readonly raw: CorsIncomingMessage;
  readonly origin: string;
  readonly requestMethod: string;
  readonly requestHeaders: string | undefined;
  readonly privateNetwork: boolean;
}

/** Judges a preflight against one policy: `undefined` when allowed, else the refusal. */
function judgePreflight(
  policy: CompiledPolicy,
  preflight: Preflight,
): CorsRefusal | undefined | Promise<CorsRefusal | undefined> {
  if (!policy.enabled) return REFUSED_DISABLED;
  const allowed = policy.origins.matches(preflight.origin, preflight.raw);
  // Synchronous answers (all but an async origin function) allocate no continuation.
  if (allowed === true) return checkAnnounced(policy, preflight);
  if (allowed === false) return REFUSED_ORIGIN;
  return allowed.then((value) => (value ? checkAnnounced(policy, preflight) : REFUSED_ORIGIN));
}

/** Checks the method, headers and private-network access a preflight announces, its origin allowed. */
function checkAnnounced(policy: CompiledPolicy, preflight: Preflight): CorsRefusal | undefined {
  return checkPreflightRequest(policy, preflight.requestMethod, preflight.requestHeaders, preflight.privateNetwork);
}

/**
 * Set on a request with an `Origin` whose handlers may pass it on (version
 * filters: header versioning, say): if none serves it,
 * {@link CorsRequestHook.answerUnserved} gives it the answer of requests no
 * route serves.
 */
const UNSETTLED = Symbol('nestjs-cors:unsettled');

interface UnsettledMessage {
  [UNSETTLED]?: true;
}

/** Whether these policies write the same headers for an origin they all allow. */
function answerAlike(candidates: readonly RouteCandidate[]): boolean {
  const first = candidates[0].policy;
  return candidates.every(
    ({ policy }) =>
      policy === first ||
      (policy.enabled === first.enabled &&
        policy.wildcardOrigin === first.wildcardOrigin &&
        policy.credentials === first.credentials &&
        policy.exposeHeadersValue === first.exposeHeadersValue),
  );
}

/**
 * The early layer: runs first for every HTTP request, in the adapter's
 * request hook (before body parsers, middleware, routing, guards and the 404
 * handler), on Express and Fastify alike.
 *
 * - Preflights are answered here, judged by the policy of the handler the
 *   actual request would reach, and never reach the application.
 * - Actual requests get their CORS headers now, so every response the route
 *   can produce carries them: guard 401s, pipe 400s, handler 500s, 404s,
 *   body-parser 400/413s. The global guard checks them against the exact
 *   handler later.
 */
@Injectable()
export class CorsRequestHook {
  private readonly logger = new Logger('CorsModule');
  private exchange = new HttpExchange(false);
  private router?: RequestRouter;
  /** `registry.uniformRoutes`, read once: one object fewer between a request and its answer. */
  private uniformRoutes?: readonly RouteCandidate[];
  private readonly slot = new RequestHookSlot();
  private isInstalled = false;
  /** Whether anything reads the decision kept on the request (see {@link install}). */
  private keepsDecisions = true;
  /** Whether requests that may reach no handler are marked for {@link answerUnserved} (see {@link install}). */
  private marksUnsettled = false;
  private stopWatchingNotFound?: () => void;

  constructor(private readonly registry: CorsPolicyRegistry) {}

  /**
   * Installs the hook in the adapter's request-hook slot (shared with other hooks).
   * `router` is left out when every route answers as the module defaults do (`registry.uniformRoutes`).
   */
  install(adapter: RequestHookHost, router: RequestRouter | undefined): boolean {
    this.exchange = HttpExchange.forAdapterType(adapter.getType?.());
    this.router = router;
    this.uniformRoutes = this.registry.uniformRoutes;
    // The guard (when it has work) and the repair next to another CORS layer read the decision; with
    // neither, no request carries one: two property stores fewer on every request.
    this.keepsDecisions = !this.registry.guardHasNoWork || this.registry.allowOtherCorsLayers;
    const hook: RequestHook = (request, response, done) => this.handle(request, response, done);
    this.isInstalled = this.slot.install(adapter, hook);
    // Express tries every route a request matches, and version filters (header versioning, say) pass it on: only
    // the 404 handler knows that none served it. Fastify routes by version itself: no such request reaches it.
    this.marksUnsettled = this.isInstalled && router !== undefined && adapter.getType?.() !== 'fastify';
    if (this.marksUnsettled) {
      this.stopWatchingNotFound = watchNotFoundHandler(adapter, (request, response, proceed) =>
        this.answerUnserved(request, response, proceed),
      );
    }
    return this.isInstalled;
  }

  /**
   * Keeps the slot checked from the end of boot on: a hook assigned over the
   * module's directly is put behind it, and reported when that happened
   * while the app was serving.
   */
  watchSlot(server: unknown): void {
    if (!this.isInstalled) return;
    this.slot.watch(server, () =>
      this.logger.error(
        "A request hook was assigned to the HTTP adapter's onRequestHook directly while the app was serving, " +
          'which switched CORS off for the requests in between (preflights got 404, responses no CORS headers). ' +
          'The CORS layer runs again, followed by that hook. Set request hooks with setOnRequestHook(): ' +
          'it never displaces the CORS layer.',
      ),
    );
  }

  /**
   * The end of boot, after Nest's 404 and error handlers: where requests are
   * marked ({@link install}), a middleware after all of them, for a marked
   * request that reaches Express's own final handler instead of Nest's 404
   * (Nest mounts that on excluded routes by their exclusion path, which an
   * app with case-sensitive routing may not match, say): no handler served
   * it either, so it gets the same answer as there.
   */
  appendFallThrough(adapter: { use?(...args: unknown[]): unknown }): void {
    if (!this.marksUnsettled || typeof adapter.use !== 'function') return;
    adapter.use((request: unknown, response: unknown, next: () => unknown) =>
      this.answerUnserved(request, response, next),
    );
  }

  uninstall(): void {
    this.slot.uninstall();
    this.stopWatchingNotFound?.();
    this.stopWatchingNotFound = undefined;
    this.isInstalled = false;
  }

  /** Whether the early layer runs on this app's requests (it answers them before the guard). */
  get installed(): boolean {
    return this.isInstalled;
  }

  get httpExchange(): HttpExchange {
    return this.exchange;
  }

  /** Keeps what was decided on the request for the guard and the response repair, where either reads it. */
  private record(
    raw: CorsIncomingMessage,
    policy: CompiledPolicy | undefined,
    allowedOrigin: string | undefined,
  ): void {
    if (this.keepsDecisions) recordDecision(raw, policy, allowedOrigin);
  }

  private handle(request: unknown, response: unknown, done: Done): unknown {
    const raw = this.exchange.rawRequest(request);
    const origin = raw.headers.origin;
    if (origin === undefined) {
      this.handleWithoutOrigin(request, raw, response);
      return done();
    }
    const requestMethod = raw.headers['access-control-request-method'];
    if (raw.method === 'OPTIONS' && requestMethod !== undefined) {
      return this.handlePreflight(request, raw, response, origin, requestMethod, done);
    }
    return this.handleActual(request, raw, response, origin, done);
  }

  /** The handlers that serve this request, or the `paths` policy / module defaults. */
  private routesOf(request: unknown, raw: CorsIncomingMessage): readonly RouteCandidate[] {
    return this.uniformRoutes ?? this.orUnrouted(this.router?.actual(request, raw), raw);
  }

  /** The handlers the request a preflight announces would reach, or the `paths` policy / module defaults. */
  private preflightRoutesOf(
    request: unknown,
    raw: CorsIncomingMessage,
    requestMethod: string,
  ): readonly RouteCandidate[] {
    return this.uniformRoutes ?? this.orUnrouted(this.router?.preflight(request, raw, requestMethod), raw);
  }

  /** What the router found, or, when no controller route serves the request, its `paths` policy / the module defaults. */
  private orUnrouted(
    found: readonly RouteCandidate[] | undefined,
    raw: CorsIncomingMessage,
  ): readonly RouteCandidate[] {
    return found !== undefined && found.length > 0 ? found : this.registry.unroutedPolicy(raw.url ?? '/').alone;
  }

  private handleWithoutOrigin(request: unknown, raw: CorsIncomingMessage, response: unknown): void {
    switch (this.registry.noOriginWork) {
      case NoOriginWork.None:
        break;
      case NoOriginWork.VaryOnly:
        appendVary(this.exchange.headerTarget(response), 'Origin');
        break;
      case NoOriginWork.Lookup: {
        const routes = this.routesOf(request, raw);
        if (routes.length > 1 && !answerAlike(routes)) {
          appendVary(this.exchange.headerTarget(response), 'Origin');
          break;
        }
        const policy = routes[0].policy;
        const target = this.exchange.headerTarget(response);
        this.record(raw, policy, answerActualRequest(policy, undefined, false, target));
        return;
      }
    }
    // Nothing decided that the guard could keep: it judges the handler's policy itself.
    this.record(raw, undefined, undefined);
  }

  private handleActual(
    request: unknown,
    raw: CorsIncomingMessage,
    response: unknown,
    origin: string,
    done: Done,
  ): unknown {
    const routes = this.routesOf(request, raw);
    if (this.marksUnsettled && (routes.length > 1 || routes[0].conditional))
      (raw as UnsettledMessage)[UNSETTLED] = true;
    if (routes.length > 1) return this.handleAmbiguous(routes, raw, response, origin, done);
    return this.answerActual(raw, response, origin, routes[0], done);
  }

  /**
   * Writes `route`'s answer to an actual request from `origin`, then calls
   * `then` (at once, or once an asynchronous origin check settled) and
   * returns what it returns, or the promise of it.
   */
  private answerActual(
    raw: CorsIncomingMessage,
    response: unknown,
    origin: string,
    route: RouteCandidate,
    then: () => unknown,
  ): unknown {
    const policy = route.policy;
    if (!policy.enabled) {
      this.record(raw, policy, undefined);
      if (this.registry.debug) {
        this.logger.debug(
          explainRefusal('request', raw.method!, raw.url!, origin, policy, REFUSED_DISABLED, route.label),
        );
      }
      return then();
    }
    const target = this.exchange.headerTarget(response);
    const allowed = policy.origins.matches(origin, raw);
    if (allowed === true || allowed === false) {
      this.applyActual(raw, target, origin, route, allowed);
      return then();
    }
    return allowed.then((value) => {
      this.applyActual(raw, target, origin, route, value);
      return then();
    });
  }

  private applyActual(
    raw: CorsIncomingMessage,
    target: HeaderTarget,
    origin: string,
    route: RouteCandidate,
    allowed: boolean,
  ): void {
    this.record(raw, route.policy, answerActualRequest(route.policy, origin, allowed, target));
    if (!allowed && this.registry.debug) {
      this.logger.debug(
        explainRefusal('request', raw.method!, raw.url!, origin, route.policy, REFUSED_ORIGIN, route.label),
      );
    }
  }

  /**
   * Several handlers may serve the request (the router decides at run time,
   * say by version header): headers are written only where they all agree,
   * so an error response before the guard never grants more than the
   * handler that serves it. The guard writes the exact handler's answer.
   */
  private async handleAmbiguous(
    routes: readonly RouteCandidate[],
    raw: CorsIncomingMessage,
    response: unknown,
    origin: string,
    done: Done,
  ): Promise<void> {
    const target = this.exchange.headerTarget(response);
    const verdicts = await Promise.all(
      routes.map(({ policy }) => policy.enabled && policy.origins.matches(origin, raw)),
    );
    if (answerAlike(routes) && verdicts.every((verdict) => verdict === verdicts[0])) {
      this.applyActual(raw, target, origin, routes[0], verdicts[0]);
    } else {
      this.record(raw, undefined, undefined);
      if (routes.some(({ policy }) => policy.enabled)) appendVary(target, 'Origin');
    }
    done();
  }

  /**
   * Nest's 404 handler is answering this request (Express: every route passed
   * it on). Where its handlers may pass it on (version filters: header
   * versioning, say), the early layer wrote their answer (only what they all
   * agree on, where they are several), and none served it: the request gets
   * the answer of requests no route serves, as everywhere else. Then the 404
   * handler runs (`proceed`); at once for any other request.
   */
  private answerUnserved(request: unknown, response: unknown, proceed: () => unknown): unknown {
    const raw = this.exchange.rawRequest(request);
    const origin = raw.headers.origin;
    if ((raw as UnsettledMessage)[UNSETTLED] !== true || origin === undefined) return proceed();
    if (this.exchange.rawResponse(response).headersSent) return proceed();
    const target = this.exchange.headerTarget(response);
    for (const name of ACCESS_HEADERS) target.removeHeader(name); // `Vary` stays: it only ever grows
    return this.answerActual(raw, response, origin, this.orUnrouted(undefined, raw)[0], proceed);
  }

  private handlePreflight(
    request: unknown,
    raw: CorsIncomingMessage,
    response: unknown,
    origin: string,
    requestMethod: string,
    done: Done,
  ): unknown {
    const preflight: Preflight = {
      raw,
      origin,
      requestMethod,
      requestHeaders: raw.headers['access-control-request-headers'],
      privateNetwork: raw.headers['access-control-request-private-network'] === 'true',
    };
    const routes = this.preflightRoutesOf(request, raw, requestMethod);
    if (routes.length === 1) {
      const verdict = judgePreflight(routes[0].policy, preflight);
      if (verdict instanceof Promise) {
        return verdict.then((settled) => this.answerPreflight(preflight, routes, settled, response, done));
      }
      return this.answerPreflight(preflight, routes, verdict, response, done);
    }
    // Each handler may serve the request the preflight announces: all of them must allow it.
    return Promise.all(routes.map(({ policy }) => judgePreflight(policy, preflight))).then((verdicts) =>
      this.answerPreflight(
        preflight,
        routes,
        verdicts.find((verdict) => verdict !== undefined),
        response,
        done,
      ),
    );
  }

  private answerPreflight(
    preflight: Preflight,
    routes: readonly RouteCandidate[],
    refusal: CorsRefusal | undefined,
    response: unknown,
    done: Done,
  ): void {
    const policy = routes[0].policy;
    const target = this.exchange.headerTarget(response);
    const { raw, origin } = preflight;
    if (refusal !== undefined) {
      // Kept, where read, for every preflight judged here: another CORS layer's answer is repaired from it.
      this.record(raw, policy, undefined);
      if (this.registry.debug) {
        const { requestMethod, raw, origin } = preflight;
        this.logger.debug(
          explainRefusal('preflight', requestMethod, raw.url!, origin, policy, refusal, routes[0].label),
        );
      }
      appendVary(target, policy.preflightVary);
      this.exchange.endEmpty(response, FORBIDDEN);
      return;
    }
    this.record(raw, policy, allWildcard(routes) ? '*' : origin);
    writePreflightHeaders(
      policy,
      origin,
      preflight.requestMethod,
      preflight.requestHeaders,
      preflight.privateNetwork,
      target,
    );
    if (routes.length > 1) narrowToAll(routes, origin, target);
    if (policy.preflightContinue) return done();
    this.exchange.endEmpty(response, policy.optionsSuccessStatus);
  }
}

/** Whether every candidate answers `Access-Control-Allow-Origin: *` (no callback for the one-candidate case). */
function allWildcard(routes: readonly RouteCandidate[]): boolean {
  for (let i = 0; i < routes.length; i++) if (!routes[i].policy.wildcardOrigin) return false;
  return true;
}

/**
 * A preflight every candidate allowed, answered with the first one's
 * headers: keeps only what every candidate grants (credentials, caching, a
 * wildcard origin), so the browser learns no more than the handler that
 * serves the request allows.
 */
function narrowToAll(routes: readonly RouteCandidate[], origin: string, target: HeaderTarget): void {
  const policies = routes.map((route) => route.policy);
  if (policies.some((policy) => !policy.credentials)) target.removeHeader('access-control-allow-credentials');
  if (policies.some((policy) => !policy.wildcardOrigin)) {
    target.setHeader('Access-Control-Allow-Origin', origin);
    appendVary(target, 'Origin');
  }
  if (policies.some((policy) => policy.maxAgeValue !== policies[0].maxAgeValue)) {
    target.removeHeader('access-control-max-age');
  }
}
