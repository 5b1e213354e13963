import type { IncomingMessage } from 'node:http';
import type { CompiledPolicy } from '../engine/compiled-policy.js';
import { isOriginAllowed } from '../engine/cors-decision.js';

/** What decides a WebSocket upgrade on one server: the policy of its gateways and the adapter's options. */
export interface UpgradeRules {
  readonly policy: CompiledPolicy;
  readonly rejectMissingOrigin: boolean;
  readonly allowSameOrigin: boolean;
  /** The gateways on this server, for messages: `ChatGateway, NewsGateway`. */
  readonly gateways: string;
}

/** `undefined`: the upgrade may go on; otherwise why it is refused. */
export type UpgradeRefusal = 'missing-origin' | 'origin';

/** The `Origin` of an upgrade (WebSocket protocol version 8 clients sent `Sec-WebSocket-Origin`). */
export function upgradeOrigin(request: IncomingMessage): string | undefined {
  const { headers } = request;
  const origin = headers.origin ?? headers['sec-websocket-origin'];
  return Array.isArray(origin) ? origin[0] : origin;
}

/**
 * Whether `origin` is the origin of the page's own host: its `host[:port]` is
 * the request's `Host` (a default port written in `Host` does not count).
 * The browser sets both headers of a cross-site page's upgrade, so a page on
 * another site cannot pass this check; a non-browser client can send any
 * headers anyway.
 */
export function isSameHostOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  const separator = origin.indexOf('://');
  if (separator <= 0) return false;
  const scheme = origin.slice(0, separator);
  const authority = origin.slice(separator + 3);
  let requestHost = host.toLowerCase();
  const defaultPort = scheme === 'https' ? ':443' : scheme === 'http' ? ':80' : undefined;
  if (defaultPort !== undefined && requestHost.endsWith(defaultPort)) {
    requestHost = requestHost.slice(0, -defaultPort.length);
  }
  return authority === requestHost && authority !== '';
}

/**
 * Judges a WebSocket upgrade before its handshake. CORS does not apply to
 * WebSockets (browsers connect from any page and send cookies), so the
 * `Origin` check here is the only defence against Cross-Site WebSocket
 * Hijacking: an origin the policy refuses is refused here.
 */
export function judgeUpgrade(
  rules: UpgradeRules,
  request: IncomingMessage,
): UpgradeRefusal | undefined | Promise<UpgradeRefusal | undefined> {
  const origin = upgradeOrigin(request);
  if (origin === undefined) {
    return rules.rejectMissingOrigin ? 'missing-origin' : undefined;
  }
  if (rules.allowSameOrigin && isSameHostOrigin(origin, request.headers.host)) {
    return undefined;
  }
  const allowed = isOriginAllowed(rules.policy, origin, request);
  return typeof allowed === 'boolean' ? verdictOf(allowed) : allowed.then(verdictOf);
}

function verdictOf(allowed: boolean): UpgradeRefusal | undefined {
  return allowed ? undefined : 'origin';
}

/** One line for the debug log: which upgrade was refused, by what, and how to allow it. */
export function explainUpgradeRefusal(rules: UpgradeRules, request: IncomingMessage, refusal: UpgradeRefusal): string {
  const subject = `WebSocket upgrade ${request.url ?? ''} to ${rules.gateways}`;
  if (refusal === 'missing-origin') {
    return `${subject} refused with 403: no Origin header, and rejectMissingOrigin is set.`;
  }
  const origin = JSON.stringify(upgradeOrigin(request));
  if (!rules.policy.enabled) {
    return `${subject} from ${origin} refused with 403: CORS is off for ${rules.policy.label} (same-origin pages only).`;
  }
  return (
    `${subject} from ${origin} refused with 403: origin not allowed by ${rules.policy.label} ` +
    `(origin from ${rules.policy.merged.sources.origin ?? 'no level'}: ${rules.policy.origins.describe().join(', ') || 'none'}).`
  );
}
