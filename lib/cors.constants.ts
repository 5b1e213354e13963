/** Metadata key under which `@Cors()` stores its argument. */
export const CORS_METADATA = 'nestjs-cors:policy';

/** Methods allowed when no level sets `methods` (the `cors` package's default). */
export const DEFAULT_METHODS: readonly string[] = ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'];

export const DEFAULT_OPTIONS_SUCCESS_STATUS = 204;

/** Longest `Origin` value considered at all (a hostname is at most 253 bytes). */
export const MAX_ORIGIN_LENGTH = 512;

/** Longest `Access-Control-Request-Headers` value, and most names in it, a preflight may carry. */
export const MAX_REQUEST_HEADERS_LENGTH = 2048;
export const MAX_REQUEST_HEADER_NAMES = 64;

/**
 * Bounds of each allowed-headers rule's store of answers to
 * `Access-Control-Request-Headers` values: browsers send a few short lists
 * per page, so it holds every list an app really sees; a client that sends
 * a new list every time costs at most this many keys of this length.
 */
export const REQUEST_HEADERS_ANSWERS_MAX_ENTRIES = 32;
export const REQUEST_HEADERS_ANSWERS_MAX_KEY_LENGTH = 256;

/**
 * How often the request-hook slot checks that a hook assigned over the
 * module's directly (not through `setOnRequestHook()`) has not switched CORS
 * off (lib/http/request-hook-slot.ts).
 */
export const REQUEST_HOOK_SLOT_CHECK_INTERVAL_MS = 1000;
