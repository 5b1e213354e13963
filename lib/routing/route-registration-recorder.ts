import { RequestMethod, VERSION_NEUTRAL } from '@nestjs/common';
import { pathSuffixesOf } from '../policies/declared-paths.js';
import type { HandlerEntry } from '../policies/handler-entry.interface.js';

/** A route Nest registered on the HTTP adapter, and the handler it serves. */
export interface RecordedRoute {
  /** The adapter method Nest called (`get`, `post`, `all`, …). */
  readonly method: string;
  /** The path as the router got it (global prefix, version, module path included). */
  readonly path: string;
  /**
   * The handler it serves; `undefined` for a route left unidentified because
   * no handler it can serve needs identifying ({@link RecordingOptions.needsIdentifying}).
   */
  readonly entry: HandlerEntry | undefined;
  /** A version filter (header, media-type or custom versioning) decides per request whether it serves. */
  readonly conditional: boolean;
}

/** How {@link RouteRegistrationRecorder.start} records. */
export interface RecordingOptions {
  /** Called right after each registration call of the adapter returned. */
  readonly registered?: () => void;
  /**
   * Whether the routes of `entry` must be told apart from a route that
   * answers as the module defaults (its own policy, hosts). When given, a
   * registration is identified only if its handler's name (Nest 12 names it
   * `Controller.method`) is the label of such an entry, or, once Nest applied
   * a version filter, of one that declares a version (of any entry, with a
   * default version); the others reach the listener without an entry.
   * Identifying 10,000 routes was a third of the module's boot work in an
   * app where a few of them have a policy of their own (bench/findings.md,
   * section 11).
   */
  readonly needsIdentifying?: (entry: HandlerEntry) => boolean;
}

export type RouteListener = (route: RecordedRoute) => void;

/** Hears of each route {@link RouteRegistrationRecorder.replay} identifies. */
export type ReplayListener = (method: string, path: string, entry: HandlerEntry) => void;

type AdapterMethods = Record<string, unknown>;

/**
 * Watches the routes Nest registers on the HTTP adapter during `app.init()`,
 * so that the route tables hold exactly what the router got, in the order it
 * got it: global prefix and exclusions, versions, `RouterModule` paths,
 * specificity sorting, the adapter's own path normalisation.
 *
 * This is the one place that depends on how Nest registers routes rather than
 * on a documented API (`test/e2e/nest-route-registration.e2e-spec.ts` fails
 * loudly if that changes; `CorsModule` also checks at boot that routes were seen):
 * - Nest calls `httpAdapter.<method>(path, handler)` for every route, after
 *   every `configure()` and before every `onModuleInit()`;
 * - the handler carries copies of the controller method's metadata, and in
 *   Nest 12 the name `Controller.method`; those tell which controller method
 *   it serves (nothing is ever written to the controller or its methods);
 * - non-URI versioning wraps a handler with `httpAdapter.applyVersionFilter()`
 *   before it is registered.
 */
export class RouteRegistrationRecorder {
  private restore: Array<() => void> = [];
  private versionFilterSeen = false;
  private seen = 0;
  private defaultVersionSet = false;
  /**
   * Whether the version filter Nest applied last lets every request through
   * (`VERSION_NEUTRAL`: the adapter returns a plain pass-through): it wraps
   * the handler of the routes Nest registers next, for that path.
   */
  private lastFilterPassesAll = false;
  private readonly assigned = new Map<HandlerEntry, number>();
  private readonly suffixes = new Map<HandlerEntry, readonly string[]>();
  /** What `start()` or `startDeferred()` kept for `replay()`: adapter method, path and handler of each registration, flat. */
  private pending: unknown[] = [];

  /** The adapter method names Nest uses, from the public `RequestMethod` enum. */
  static readonly methodNames: readonly string[] = Object.keys(RequestMethod)
    .filter((key) => Number.isNaN(Number(key)))
    .map((key) => key.toLowerCase());

  /**
   * Starts watching. `listener` hears of each route before the adapter
   * registers it. Each route it heard of is also kept for {@link replay},
   * which hears of them again, every one identified as `start()` would
   * without `needsIdentifying`: the report is built only if asked for.
   */
  start(
    adapter: object,
    entries: readonly HandlerEntry[],
    listener: RouteListener,
    options: RecordingOptions = {},
  ): void {
    this.stop();
    this.pending = [];
    const target = adapter as AdapterMethods;
    const byMethod = groupByAdapterMethod(entries);
    const needsIdentifying = options.needsIdentifying;
    const labelsToIdentify = needsIdentifying && labelsOf(byMethod, needsIdentifying);
    const versionedLabels = needsIdentifying && labelsOf(byMethod, (entry) => entry.declaresVersion);
    for (const name of RouteRegistrationRecorder.methodNames) {
      const candidates = byMethod.get(name) ?? [];
      const toIdentify = labelsToIdentify?.get(name);
      const versioned = versionedLabels?.get(name);
      // Built on the first route that is identified: apps whose routes all skip identification never need it.
      let byLabel: Map<string, HandlerEntry[]> | undefined;
      const labels = () => (byLabel ??= groupByLabel(candidates));
      this.wrap(
        target,
        name,
        (args) => {
          const handler = args[args.length - 1];
          const path = args[0];
          if (typeof path !== 'string' || typeof handler !== 'function' || candidates.length === 0) return;
          this.seen++;
          this.pending.push(name, path, handler);
          const label = handler.name;
          if (
            labelsToIdentify !== undefined &&
            label.includes('.') &&
            toIdentify?.has(label) !== true &&
            // Version filters make routes of versioned handlers (of every handler, with a default version) conditional.
            (!this.versionFilterSeen || (!this.defaultVersionSet && versioned?.has(label) !== true))
          ) {
            // It serves one of the handlers of this name, none of which needs identifying (or none of the app's
            // controller methods): either way it answers as the module defaults, at all times.
            return listener({ method: name, path, entry: undefined, conditional: false });
          }
          const entry = this.identify(path, handler, candidates, labels())!;
          const conditional =
            this.versionFilterSeen && (entry.declaresVersion || this.defaultVersionSet) && !this.lastFilterPassesAll;
          listener({ method: name, path, entry, conditional });
        },
        options.registered,
      );
    }
    this.wrap(target, 'applyVersionFilter', (args) => {
      this.versionFilterSeen = true;
      this.lastFilterPassesAll = args[1] === VERSION_NEUTRAL;
      const options = args[2] as { defaultVersion?: unknown } | undefined;
      if (options?.defaultVersion !== undefined) this.defaultVersionSet = true;
    });
  }

  /**
   * Starts watching without identifying anything: each registration is kept
   * as Nest made it (adapter method, path, handler) for {@link replay}, which
   * identifies them when someone asks. For apps where nothing at boot needs
   * to know which handler a route serves (no route table: every route answers
   * as the module defaults), identifying 10,000 routes was a third of the
   * module's boot work (bench/findings.md, section 10). `routesSeen` counts
   * the registrations an entry's request method could serve, as
   * `identify()` would have.
   */
  startDeferred(adapter: object, entries: readonly HandlerEntry[]): void {
    this.stop();
    this.pending = [];
    const target = adapter as AdapterMethods;
    const byMethod = groupByAdapterMethod(entries);
    for (const name of RouteRegistrationRecorder.methodNames) {
      const served = byMethod.has(name);
      this.wrap(target, name, (args) => {
        const handler = args[args.length - 1];
        if (typeof args[0] !== 'string' || typeof handler !== 'function' || !served) return;
        this.seen++;
        this.pending.push(name, args[0], handler);
      });
    }
  }

  /**
   * Identifies the registrations `startDeferred()` or `start()` kept, in the
   * order Nest made them (as `start()` does), and forgets them.
   */
  replay(entries: readonly HandlerEntry[], listener: ReplayListener): void {
    const pending = this.pending;
    this.pending = [];
    const byMethod = groupByAdapterMethod(entries);
    const byLabel = new Map([...byMethod].map(([method, list]) => [method, groupByLabel(list)]));
    // Counts of its own: a replay before `stop()` must not start from the counts of the routes identified live.
    const assigned = new Map<HandlerEntry, number>();
    for (let index = 0; index < pending.length; index += 3) {
      const method = pending[index] as string;
      const path = pending[index + 1] as string;
      const entry = this.identify(
        path,
        pending[index + 2] as Function,
        byMethod.get(method) ?? [],
        byLabel.get(method),
        assigned,
      );
      if (entry) listener(method, path, entry);
    }
    this.suffixes.clear();
  }

  /** Calls `before(args)` ahead of the adapter's own method (and `after()` once it returned); undone by {@link stop}. */
  private wrap(target: AdapterMethods, name: string, before: (args: unknown[]) => void, after?: () => void): void {
    const original = target[name];
    if (typeof original !== 'function') return;
    const ownDescriptor = Object.getOwnPropertyDescriptor(target, name);
    target[name] = function recorded(this: unknown, ...args: unknown[]) {
      before(args);
      try {
        return (original as Function).apply(this, args);
      } finally {
        after?.();
      }
    };
    this.restore.push(() => {
      if (ownDescriptor) Object.defineProperty(target, name, ownDescriptor);
      // Assigned back, not deleted: deleting properties turns the adapter, which Nest reads on every
      // request, into a slow dictionary-mode object (bench/findings.md, section 3f).
      else target[name] = original;
    });
  }

  /**
   * Which controller method a registered handler serves. Narrowed step by
   * step (each step only when it leaves someone): the name Nest 12 gives it,
   * the metadata Nest copied onto it, the path it is registered under. What
   * is still ambiguous after that is methods that no metadata tells apart:
   * they are taken in discovery order, which is Nest's registration order.
   */
  private identify(
    path: string,
    handler: Function,
    candidates: readonly HandlerEntry[],
    byLabel?: ReadonlyMap<string, readonly HandlerEntry[]>,
    assigned = this.assigned,
  ): HandlerEntry | undefined {
    let left = candidates;
    if (left.length > 1 && handler.name.includes('.')) {
      // An index, not a filter over every entry of the method: that made boot quadratic in the routes.
      const named = byLabel?.get(handler.name);
      if (named !== undefined && named.length > 0) left = named;
    }
    if (left.length > 1 && Reflect.getMetadataKeys(handler).length > 0) {
      left = narrowed(left, (entry) =>
        Reflect.getMetadataKeys(entry.handler).every(
          (key) => Reflect.getMetadata(key, handler) === Reflect.getMetadata(key, entry.handler),
        ),
      );
    }
    if (left.length > 1) {
      left = narrowed(left, (entry) => this.pathSuffixes(entry).some((suffix) => endsWithPath(path, suffix)));
    }
    if (left.length === 0) return undefined;
    let chosen = left[0];
    if (left.length > 1) {
      // Methods no metadata tells apart: Nest registers them in discovery order, once per path.
      for (const entry of left) {
        if ((assigned.get(entry) ?? 0) < (assigned.get(chosen) ?? 0)) chosen = entry;
      }
    }
    assigned.set(chosen, (assigned.get(chosen) ?? 0) + 1);
    return chosen;
  }

  private pathSuffixes(entry: HandlerEntry): readonly string[] {
    let suffixes = this.suffixes.get(entry);
    if (suffixes === undefined) this.suffixes.set(entry, (suffixes = pathSuffixesOf(entry)));
    return suffixes;
  }

  /** Routes of this app's controllers seen so far. */
  get routesSeen(): number {
    return this.seen;
  }

  stop(): void {
    for (const undo of this.restore.reverse()) undo();
    this.restore = [];
    // Boot-time bookkeeping: nothing on the request path reads it.
    this.assigned.clear();
    this.suffixes.clear();
  }
}

function groupByAdapterMethod(entries: readonly HandlerEntry[]): Map<string, HandlerEntry[]> {
  const byMethod = new Map<string, HandlerEntry[]>();
  for (const entry of entries) {
    const name = String(RequestMethod[entry.requestMethod] ?? '').toLowerCase();
    const list = byMethod.get(name);
    if (list === undefined) byMethod.set(name, [entry]);
    else list.push(entry);
  }
  return byMethod;
}

/** Per adapter method, the labels of the entries `test` accepts. */
function labelsOf(
  byMethod: ReadonlyMap<string, readonly HandlerEntry[]>,
  test: (entry: HandlerEntry) => boolean,
): Map<string, Set<string>> {
  const labels = new Map<string, Set<string>>();
  for (const [method, entries] of byMethod) {
    const set = new Set<string>();
    for (const entry of entries) if (test(entry)) set.add(entry.label);
    labels.set(method, set);
  }
  return labels;
}

function groupByLabel(entries: readonly HandlerEntry[]): Map<string, HandlerEntry[]> {
  const byLabel = new Map<string, HandlerEntry[]>();
  for (const entry of entries) {
    const list = byLabel.get(entry.label);
    if (list === undefined) byLabel.set(entry.label, [entry]);
    else list.push(entry);
  }
  return byLabel;
}

/** The entries `keep` accepts, or all of them when it accepts none. */
function narrowed(entries: readonly HandlerEntry[], keep: (entry: HandlerEntry) => boolean): readonly HandlerEntry[] {
  const kept = entries.filter(keep);
  return kept.length > 0 ? kept : entries;
}

function endsWithPath(path: string, suffix: string): boolean {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return suffix === '' || suffix === '/' ? true : trimmed === suffix || trimmed.endsWith(suffix);
}
