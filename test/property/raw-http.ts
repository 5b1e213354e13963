/**
 * Raw HTTP for the property and fuzz suites: requests with an explicit list of
 * header lines (repeated names included), responses with their raw header
 * lines, so that two `Access-Control-Allow-Origin` lines stay two.
 */
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';

export interface RawResponse {
  readonly status: number;
  /** `[name, value, name, value, …]`, as received. */
  readonly rawHeaders: readonly string[];
}

export type HeaderLines = ReadonlyArray<readonly [string, string]>;

/** Every value of header `name` (case-insensitive), one per line received. */
export function headerLines(response: RawResponse, name: string): string[] {
  const lower = name.toLowerCase();
  const values: string[] = [];
  for (let i = 0; i < response.rawHeaders.length; i += 2) {
    if (response.rawHeaders[i].toLowerCase() === lower) values.push(response.rawHeaders[i + 1]);
  }
  return values;
}

/** The names in every `Vary` line, lower-cased. */
export function varyNames(response: RawResponse): string[] {
  return headerLines(response, 'vary').flatMap((line) => line.split(',').map((name) => name.trim().toLowerCase()));
}

/** The names of the `Access-Control-*` response headers, lower-cased. */
export function corsHeaderNames(response: RawResponse): string[] {
  const names: string[] = [];
  for (let i = 0; i < response.rawHeaders.length; i += 2) {
    const name = response.rawHeaders[i].toLowerCase();
    if (name.startsWith('access-control-')) names.push(name);
  }
  return names;
}

/**
 * Sends one request through `node:http` with exactly these header lines (a
 * `Host` line first, unless they have one), on a fresh connection. Values must be what `node:http`
 * accepts: tab, printable ASCII and bytes 0x80-0xFF (as latin1 characters).
 */
export function sendHttp(
  port: number,
  method: string,
  path: string,
  headers: HeaderLines,
  timeoutMs = 5000,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const host = headers.some(([name]) => name.toLowerCase() === 'host') ? [] : [['Host', `127.0.0.1:${port}`]];
    const flat = [...host, ...headers, ['Connection', 'close']].flat();
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers: flat as never, agent: false });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode!, rawHeaders: res.rawHeaders });
      });
      res.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end();
  });
}

/**
 * Writes a request head byte for byte on a TCP socket, for values `node:http`
 * refuses to send (control characters, DEL). The head is latin1: each
 * character of `head` is one byte; it must ask for `Connection: close`, as the
 * answer is read until the server closes the connection. Resolves with the status and header lines
 * of the answer (Node's own 400 for what its parser rejects).
 */
export function sendBytes(port: number, head: string, timeoutMs = 5000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on('connect', () => socket.write(Buffer.from(head, 'latin1')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const lines = (end === -1 ? text : text.slice(0, end)).split('\r\n');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
      if (!status) {
        reject(new Error(`no HTTP answer: ${JSON.stringify(text.slice(0, 200))}`));
        return;
      }
      const rawHeaders = lines.slice(1).flatMap((line) => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon), line.slice(colon + 1).trim()];
      });
      resolve({ status: Number(status[1]), rawHeaders });
    });
  });
}
