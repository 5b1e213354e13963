// Node's own timers, not the global ones: a test's fake clock (Jest, Vitest) must not drive, or loop on, this check.
import { clearInterval, setInterval } from 'node:timers';
import { REQUEST_HOOK_SLOT_CHECK_INTERVAL_MS } from '../cors.constants.js';

/** Nest's request hook signature (`setOnRequestHook`): call `done()` to continue. */
export type RequestHook = (request: unknown, response: unknown, done: (error?: unknown) => void) => unknown;

/** The part of Nest's HTTP adapter that holds the request hook. */
export interface RequestHookHost {
  setOnRequestHook?(hook: RequestHook): void;
  onRequestHook?: RequestHook;
  getType?(): string;
  getInstance?(): unknown;
  getHttpServer?(): unknown;
}

/** The part of Node's HTTP server the slot watches. */
interface ListeningServer {
  readonly listening?: boolean;
  on(event: 'listening', listener: () => void): unknown;
  off(event: 'listening', listener: () => void): unknown;
}

/** Told when a hook was assigned over the module's while the app was serving (requests in between had no CORS). */
export type LateReplacementListener = () => void;

function hookOrUndefined(value: unknown): RequestHook | undefined {
  return typeof value === 'function' ? (value as RequestHook) : undefined;
}

/**
 * Shares the adapter's single request-hook slot (`setOnRequestHook()`) with
 * whoever else uses it: `@nestjs/observe`, tracing SDKs, the app's own code.
 *
 * Nest keeps one hook per adapter, and the last `setOnRequestHook()` wins, so
 * a hook set after the module's (in any `onModuleInit`, or once the app
 * listens) would silently switch CORS off. Installed, the slot always runs
 * the module's hook first (it answers preflights before anything else can
 * refuse them), then the other hook: the one set before the module's, or the
 * last one set after it through `setOnRequestHook()`.
 *
 * While the app runs, the adapter keeps its data properties as they are (no
 * accessor, nothing deleted): Nest reads them on every request, and an
 * accessor would turn the adapter into a slow dictionary-mode object
 * (bench/findings.md, section 3f).
 * So a hook assigned to the adapter's private `onRequestHook` field directly
 * is caught by {@link watch} instead: adopted at the end of boot and when the
 * server starts listening, and, while the app serves, within
 * {@link REQUEST_HOOK_SLOT_CHECK_INTERVAL_MS}, reported as an error.
 * {@link uninstall} puts the slot back as it was.
 */
export class RequestHookSlot {
  private other?: RequestHook;
  private adapter?: RequestHookHost;
  private composite?: RequestHook;
  private setInSlot?: (hook: RequestHook | undefined) => void;
  private ownSetter?: PropertyDescriptor;
  private stopWatching?: () => void;

  /** Installs `ours` in the slot; `false` when the adapter has no request hook. */
  install(adapter: RequestHookHost, ours: RequestHook): boolean {
    const setter = adapter.setOnRequestHook;
    if (typeof setter !== 'function') return false;
    this.adapter = adapter;
    this.other = hookOrUndefined(adapter.onRequestHook);
    const composite: RequestHook = (request, response, done) => {
      // Alone in the slot (the common case): no continuation to allocate per request.
      if (this.other === undefined) return ours(request, response, done);
      return ours(request, response, (error) => {
        const other = this.other;
        if (error !== undefined || other === undefined) return done(error);
        try {
          const result = other.call(adapter, request, response, done) as Promise<unknown> | undefined;
          if (result && typeof result.then === 'function')
            result.then(undefined, (e: unknown) => done(e ?? new Error('Request hook failed')));
        } catch (e) {
          done(e);
        }
      });
    };
    this.composite = composite;
    // Nest's own setter puts hooks in the slot; ours keeps the others beside the module's.
    this.setInSlot = (hook) => setter.call(adapter, hook as RequestHook);
    this.setInSlot(composite);
    this.ownSetter = Object.getOwnPropertyDescriptor(adapter, 'setOnRequestHook');
    Object.defineProperty(adapter, 'setOnRequestHook', {
      configurable: true,
      writable: true,
      value: (hook: unknown) => {
        this.other = hookOrUndefined(hook);
      },
    });
    return true;
  }

  /**
   * Whether the slot still runs the module's hook. When a hook was assigned
   * over it directly, that hook becomes the other one, the module's goes back
   * in front of it, and this returns `false`.
   */
  reclaim(): boolean {
    const composite = this.composite;
    if (this.adapter === undefined || composite === undefined) return true;
    const current = this.adapter.onRequestHook;
    if (current === composite) return true;
    this.other = hookOrUndefined(current);
    this.setInSlot?.(composite);
    return false;
  }

  /**
   * Checks the slot now, when `server` starts listening, and every
   * {@link REQUEST_HOOK_SLOT_CHECK_INTERVAL_MS} after that (an unref'd timer:
   * it never keeps the process alive). A replacement found while the server
   * listens is repaired and reported to `onLateReplacement`.
   */
  watch(server: unknown, onLateReplacement: LateReplacementListener): void {
    this.stopWatching?.();
    this.reclaim();
    const listening = isListeningServer(server) ? server : undefined;
    const onListening = () => this.reclaim();
    listening?.on('listening', onListening);
    const timer = setInterval(() => {
      if (!this.reclaim() && listening?.listening !== false) onLateReplacement();
    }, REQUEST_HOOK_SLOT_CHECK_INTERVAL_MS);
    timer.unref();
    this.stopWatching = () => {
      clearInterval(timer);
      listening?.off('listening', onListening);
    };
  }

  /** Gives the slot back to the other hook (at shutdown). */
  uninstall(): void {
    this.stopWatching?.();
    this.stopWatching = undefined;
    const adapter = this.adapter;
    if (!adapter) return;
    this.reclaim();
    this.adapter = undefined;
    this.composite = undefined;
    if (this.ownSetter) Object.defineProperty(adapter, 'setOnRequestHook', this.ownSetter);
    else delete (adapter as { setOnRequestHook?: unknown }).setOnRequestHook;
    this.setInSlot?.(this.other);
    this.setInSlot = undefined;
  }
}

function isListeningServer(value: unknown): value is ListeningServer {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ListeningServer).on === 'function' &&
    typeof (value as ListeningServer).off === 'function'
  );
}
