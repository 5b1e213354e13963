/**
 * `nestjs-cors/websockets`: both CORS WebSocket adapters. Importing it loads
 * `@nestjs/websockets`, `@nestjs/platform-socket.io` and `@nestjs/platform-ws`;
 * an app with one platform imports `nestjs-cors/websockets/socket.io` or
 * `nestjs-cors/websockets/ws` instead, which need only theirs.
 */
export * from './socket-io.js';
export * from './ws.js';
