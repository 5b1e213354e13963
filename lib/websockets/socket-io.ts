/**
 * `nestjs-cors/websockets/socket.io`: needs `@nestjs/websockets` and `@nestjs/platform-socket.io`.
 */
export { CorsIoAdapter } from './cors-io.adapter.js';
export type { CorsGatewayOptions } from './cors-gateway-options.interface.js';
