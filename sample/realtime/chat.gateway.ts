import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';

/** What the gateway uses of a socket.io socket (socket.io itself is not a dependency of the sample). */
interface ChatSocket {
  readonly id: string;
  readonly nsp: { emit(event: string, payload: unknown): boolean };
}

/** A chat line as every connected client receives it. */
export interface ChatLine {
  readonly from: string;
  readonly text: string;
  readonly at: string;
}

/**
 * A socket.io chat on the API's own port (`/socket.io/`). It has no `@Cors()`,
 * so `CorsIoAdapter` gives it the module defaults (`CORS_ORIGINS`, credentials):
 * the polling requests get the same CORS answer as a controller route, and a
 * WebSocket upgrade from an origin not in `CORS_ORIGINS` gets a 403 before
 * the handshake (CORS itself never covers WebSockets).
 */
@WebSocketGateway()
export class ChatGateway {
  /** Broadcasts the line to every client, the sender included; the ack returns it too. */
  @SubscribeMessage('chat')
  chat(@MessageBody() text: unknown, @ConnectedSocket() socket: ChatSocket): ChatLine {
    const line: ChatLine = {
      from: socket.id.slice(0, 6),
      text: String(text).slice(0, 500),
      at: new Date().toISOString(),
    };
    socket.nsp.emit('chat', line);
    return line;
  }
}
