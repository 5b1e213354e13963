import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { appendVary } from '../engine/cors-decision.js';

const REPAIRED = Symbol('nestjs-cors:vary-repair');

type WriteHead = ServerResponse['writeHead'];

/**
 * Makes sure `Vary` names `Origin` when this response's head is written,
 * whatever the handler set in between (`@Header('Vary', 'Accept')`, a
 * `res.setHeader('Vary', …)` through `@Res()`, Fastify reply headers). Used
 * by the guard on exactly the handlers that may overwrite `Vary`, for that
 * one response: nothing is attached to any class, and other requests pay
 * nothing.
 */
export function keepOriginInVary(res: ServerResponse): void {
  const state = res as ServerResponse & { [REPAIRED]?: true };
  if (state[REPAIRED]) return;
  state[REPAIRED] = true;
  const writeHead: WriteHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, statusCode: number, ...rest: unknown[]) {
    res.writeHead = writeHead;
    const headers = (typeof rest[0] === 'string' ? rest[1] : rest[0]) as OutgoingHttpHeaders | unknown[] | undefined;
    if (headers !== undefined && headers !== null && typeof headers === 'object' && !Array.isArray(headers)) {
      // Headers handed to writeHead() (Fastify's) win over those set on the response: repair them there.
      const name = Object.keys(headers).find((key) => key.toLowerCase() === 'vary');
      if (name !== undefined) {
        const target = {
          getHeader: () => headers[name] as string | string[] | undefined,
          setHeader: (_: string, value: string) => {
            headers[name] = value;
          },
          removeHeader: () => undefined,
        };
        appendVary(target, 'Origin');
      } else {
        appendVary(this, 'Origin');
      }
    } else {
      appendVary(this, 'Origin');
    }
    return (writeHead as (...args: unknown[]) => ServerResponse).call(this, statusCode, ...rest);
  } as WriteHead;
}
