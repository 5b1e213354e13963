/**
 * `nestjs-cors/websockets/ws`: needs `@nestjs/websockets` and `@nestjs/platform-ws`.
 */
export { CorsWsAdapter, type CorsWsAdapterOptions } from './cors-ws.adapter.js';
export type { CorsGatewayOptions } from './cors-gateway-options.interface.js';
