import type { RequestMethod, Type } from '@nestjs/common';
import type { CompiledPolicy } from '../engine/compiled-policy.js';

/** A controller method that serves routes, with its compiled policy. Built once at boot. */
export interface HandlerEntry {
  readonly controller: Type;
  readonly methodName: string;
  /** The method itself (`controller.prototype[methodName]`, possibly inherited). */
  readonly handler: Function;
  /** `UsersController.create`. */
  readonly label: string;
  readonly policy: CompiledPolicy;
  /**
   * The module defaults' compiled policy when this handler's `@Cors()` chain
   * sets no field of its own (both answer every request alike), else
   * `policy`: what the guard compares the early layer's decision with.
   */
  readonly equivalentPolicy: CompiledPolicy;
  /** Host patterns of a host-bound controller. */
  readonly hosts?: readonly RegExp[];
  readonly requestMethod: RequestMethod;
  /** The method or its controller declares a version. */
  readonly declaresVersion: boolean;
  /**
   * `@Controller()`'s paths (one array per class) and the method decorator's
   * path value, as declared: every path Nest registers for the handler ends
   * with one combination of the two. Joined only where a route needs them to
   * be told apart (`pathSuffixesOf()`), which is rare: boot work saved.
   */
  readonly controllerPaths: readonly string[];
  readonly methodPaths: string | readonly string[];
  /** The handler may overwrite `Vary` (`@Header('Vary')`, `@Res()`, `@Next()`). */
  readonly mayOverwriteVary: boolean;
}
