import type { CompiledPolicy } from '../engine/compiled-policy.js';

/** A handler that may serve a route, as the route tables hold it. */
export interface RouteCandidate {
  readonly policy: CompiledPolicy;
  /** `Controller.method`, for reports and debug lines. */
  readonly label: string;
  /** Host patterns of a host-bound controller (Express tries the next route when none matches). */
  readonly hosts?: readonly RegExp[];
  /** Decides per request whether it serves (header, media-type or custom versioning). */
  readonly conditional: boolean;
  /** `[this]`, kept so that unambiguous lookups allocate nothing. */
  readonly alone: readonly RouteCandidate[];
}

/** Makes a candidate. */
export function routeCandidate(
  policy: CompiledPolicy,
  label: string,
  options: { hosts?: readonly RegExp[]; conditional?: boolean } = {},
): RouteCandidate {
  const candidate = { policy, label, hosts: options.hosts, conditional: options.conditional === true } as {
    -readonly [K in keyof RouteCandidate]: RouteCandidate[K];
  };
  candidate.alone = Object.freeze([candidate]);
  return Object.freeze(candidate);
}
