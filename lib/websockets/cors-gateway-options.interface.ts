/**
 * Options of `CorsIoAdapter` and `CorsWsAdapter` that apply to the WebSocket
 * upgrade of every gateway the adapter serves.
 */
export interface CorsGatewayOptions {
  /**
   * Refuse (403) WebSocket upgrades that carry no `Origin` header. Browsers
   * always send one, so this turns away only non-browser clients (scripts,
   * servers, native apps). It is no authentication: such a client can send
   * any `Origin` it likes. Default `false`.
   */
  rejectMissingOrigin?: boolean;
  /**
   * Let pages served from the gateway's own host connect (an `Origin` whose
   * `host[:port]` is the request's `Host` header) even when the policy does
   * not list that origin, as a same-origin HTTP request needs no CORS either.
   * Turn it off behind a proxy that does not forward the browser's `Host`,
   * or to allow exactly the listed origins. Default `true`.
   */
  allowSameOrigin?: boolean;
}
