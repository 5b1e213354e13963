import type { RouteCondition } from './fastify-route-table.js';
import type { RouteCandidate } from './route-candidate.js';
import { RouteOverlapIndex } from './route-overlap.js';

/** What the builder fills: a route table taking routes in the order the app's router got them. */
export interface RouteTableLike {
  /** `condition`: the handler serves only some of the requests the route matches (Fastify only). */
  add(method: string, path: string, candidate: RouteCandidate, condition?: RouteCondition): void;
}

/**
 * Fills a route table with the routes its lookups need. A route that
 * answers exactly as a request no route serves (`unrouted`: the module
 * defaults' candidate) decides nothing, unless a request could match it and
 * a route with a policy of its own: then which of the two the router picks
 * matters. So those routes wait until Nest registered its last route
 * ({@link finish}); only the ones that may share a request with a route of
 * its own policy ({@link RouteOverlapIndex}) go in, in their place. In the
 * usual app (a few routes with a policy of their own) that leaves a table
 * of a handful of routes instead of all of them: less boot work and heap.
 */
export class RouteTableBuilder<T extends RouteTableLike> {
  private table: T;
  private readonly overlap = new RouteOverlapIndex();
  /** Every route in order, until {@link finish}: flat, to rebuild the table in order if a waiting route goes in. */
  private methods?: string[] = [];
  private paths?: string[] = [];
  private candidates?: RouteCandidate[] = [];
  /** The conditions of the routes that have one, by index (rare). */
  private conditions?: Map<number, RouteCondition> = new Map();
  private waiting = 0;

  constructor(
    private readonly create: () => T,
    private readonly unrouted: RouteCandidate | undefined,
  ) {
    this.table = create();
  }

  /** The table so far: complete once {@link finish} returned it. */
  get current(): T {
    return this.table;
  }

  add(method: string, path: string, candidate: RouteCandidate, condition?: RouteCondition): void {
    if (this.unrouted === undefined || this.candidates === undefined) {
      return this.table.add(method, path, candidate, condition);
    }
    this.methods!.push(method);
    this.paths!.push(path);
    this.candidates.push(candidate);
    if (condition !== undefined) this.conditions!.set(this.candidates.length - 1, condition);
    if (candidate === this.unrouted) {
      this.waiting++;
      return;
    }
    this.overlap.add(path);
    this.table.add(method, path, candidate, condition);
  }

  /** Nest registered its last route: the table, with the waiting routes that matter, in order. */
  finish(): T {
    const { methods, paths, candidates, conditions } = this;
    this.methods = this.paths = this.candidates = undefined;
    this.conditions = undefined;
    if (candidates === undefined || this.waiting === 0) return this.table;
    const waitingNeeded = candidates.map(
      (candidate, index) => candidate === this.unrouted && this.overlap.mayShare(paths![index]),
    );
    if (!waitingNeeded.includes(true)) return this.table;
    const table = this.create();
    candidates.forEach((candidate, index) => {
      if (candidate !== this.unrouted || waitingNeeded[index]) {
        table.add(methods![index], paths![index], candidate, conditions!.get(index));
      }
    });
    return (this.table = table);
  }
}
