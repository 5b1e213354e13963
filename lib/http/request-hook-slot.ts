/** Nest's request hook signature (`setOnRequestHook`): call `done()` to continue. */
export type RequestHook = (request: unknown, response: unknown, done: (error?: unknown) => void) => unknown;

/** The part of Nest's HTTP adapter that holds the request hook. */
export interface RequestHookHost {
  setOnRequestHook?(hook: RequestHook): void;
  onRequestHook?: RequestHook;
  getType?(): string;
  getInstance?(): unknown;
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
 * last one set after it, through `setOnRequestHook()` or by assigning
 * `onRequestHook`. Only the adapter object is touched, and
 * {@link RequestHookSlot.uninstall} puts it back as it was.
 */
export class RequestHookSlot {
  private other?: RequestHook;
  private adapter?: RequestHookHost;
  private ownSetter?: PropertyDescriptor;

  /** Installs `ours` in the slot; `false` when the adapter has no request hook. */
  install(adapter: RequestHookHost, ours: RequestHook): boolean {
    if (typeof adapter.setOnRequestHook !== 'function') return false;
    this.adapter = adapter;
    this.other = typeof adapter.onRequestHook === 'function' ? adapter.onRequestHook : undefined;
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
    this.ownSetter = Object.getOwnPropertyDescriptor(adapter, 'setOnRequestHook');
    const keep = (hook: unknown) => {
      this.other = typeof hook === 'function' ? (hook as RequestHook) : undefined;
    };
    Object.defineProperty(adapter, 'onRequestHook', {
      configurable: true,
      enumerable: true,
      get: () => composite,
      set: keep,
    });
    Object.defineProperty(adapter, 'setOnRequestHook', { configurable: true, writable: true, value: keep });
    return true;
  }

  /** Gives the slot back to the other hook (at shutdown). */
  uninstall(): void {
    const adapter = this.adapter;
    if (!adapter) return;
    this.adapter = undefined;
    if (this.ownSetter) Object.defineProperty(adapter, 'setOnRequestHook', this.ownSetter);
    else delete (adapter as { setOnRequestHook?: unknown }).setOnRequestHook;
    Object.defineProperty(adapter, 'onRequestHook', {
      configurable: true,
      enumerable: true,
      writable: true,
      value: this.other,
    });
  }
}
