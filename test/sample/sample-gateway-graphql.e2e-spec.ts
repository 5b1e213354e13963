import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { Response } from 'supertest';
import { CorsPolicyRegistry } from '../../lib/index.js';
import { createSampleApp, SAMPLE_ADAPTERS } from '../../sample/bootstrap.js';
import { RefusalLog } from '../../sample/diagnostics/refusal-log.js';
import {
  connectSocketIo,
  corsHeadersOf,
  listen,
  pollingPath,
  sendRequest,
  socketIoConnectError,
  upgradeStatus,
} from '../e2e/websockets-clients.js';

/**
 * The sample's chat gateway (socket.io through CorsIoAdapter, module
 * defaults) and its GraphQL query (Apollo on Express, Mercurius on Fastify,
 * `paths['/graphql']`), with real clients on a listening app. Empty
 * environment: http://localhost:4200 is our front-end, http://127.0.0.1:4200
 * the partner.
 */

const APP = 'http://localhost:4200';
const PARTNER = 'http://127.0.0.1:4200';
const QUERY = JSON.stringify({ query: '{ headlines { title section } }' });

function cors(res: Response): Record<string, string> {
  return Object.fromEntries(
    Object.entries(res.headers as Record<string, string>).filter(([name]) => name.startsWith('access-control-')),
  );
}

describe.each(SAMPLE_ADAPTERS)('the sample gateway and GraphQL on %s', (adapter) => {
  let app: INestApplication;
  let port: number;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createSampleApp(adapter, {}, { logLevels: [] });
    port = await listen(app);
  });
  afterAll(async () => {
    await app?.close();
  });

  describe('socket.io chat gateway (CorsIoAdapter, module defaults)', () => {
    test.each(['polling', 'websocket'] as const)(
      'connects from CORS_ORIGINS over %s, and the chat line comes back and is broadcast',
      async (transport) => {
        const socket = await connectSocketIo(port, transport, APP, { withCredentials: true });
        try {
          const broadcast = new Promise((resolve) => socket.once('chat', resolve));
          const ack = (await socket.timeout(5000).emitWithAck('chat', 'hello')) as { text: string; from: string };
          expect(ack).toMatchObject({ text: 'hello', from: socket.id!.slice(0, 6) });
          await expect(broadcast).resolves.toEqual(ack);
        } finally {
          socket.close();
        }
      },
    );

    test('the polling handshake from CORS_ORIGINS has the module defaults: origin and credentials', async () => {
      const answer = await sendRequest(port, 'GET', pollingPath(), { Origin: APP });
      expect(answer.status).toBe(200);
      expect(corsHeadersOf(answer)).toEqual({
        'access-control-allow-origin': APP,
        'access-control-allow-credentials': 'true',
      });
    });

    test('from the partner origin the polling requests carry no Access-Control-* header', async () => {
      const answer = await sendRequest(port, 'GET', pollingPath(), { Origin: PARTNER });
      expect(corsHeadersOf(answer)).toEqual({});
    });

    test('from the partner origin the WebSocket upgrade gets 403, and the refusal is explained', async () => {
      const refusals = app.get(RefusalLog);
      const before = refusals.last;
      expect(await upgradeStatus(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`, PARTNER)).toBe(403);
      expect(await socketIoConnectError(port, 'websocket', PARTNER)).toBe('Unexpected server response: 403');
      const lines = refusals.since(before).map((entry) => entry.message);
      expect(lines.length).toBeGreaterThanOrEqual(1);
      expect(lines[0]).toContain(PARTNER);
      expect(lines[0]).toContain('ChatGateway');
    });
  });

  describe("GraphQL under paths: { '/graphql': 'graphql' }", () => {
    test('the JSON POST preflight from CORS_ORIGINS gets the graphql policy', async () => {
      const res = await http()
        .options('/graphql')
        .set('Origin', APP)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type')
        .expect(204);
      expect(cors(res)).toEqual({
        'access-control-allow-origin': APP,
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': 'content-type',
        'access-control-max-age': '600',
      });
    });

    test('the query answers with the headlines and the policy headers (no credentials)', async () => {
      const res = await http()
        .post('/graphql')
        .set('Origin', APP)
        .set('Content-Type', 'application/json')
        .send(QUERY)
        .expect(200);
      expect(res.body).toEqual({
        data: {
          headlines: [
            { title: 'CORS answered before the guards', section: 'engineering' },
            { title: 'One allow-list for HTTP and WebSockets', section: 'security' },
          ],
        },
      });
      expect(cors(res)).toEqual({ 'access-control-allow-origin': APP });
    });

    test('a GET query with Apollo-Require-Preflight is allowed by the policy', async () => {
      const pre = await http()
        .options('/graphql?query=%7Bheadlines%7Btitle%7D%7D')
        .set('Origin', APP)
        .set('Access-Control-Request-Method', 'GET')
        .set('Access-Control-Request-Headers', 'apollo-require-preflight')
        .expect(204);
      expect(pre.headers['access-control-allow-headers']).toBe('apollo-require-preflight');
      const res = await http()
        .get('/graphql?query=%7Bheadlines%7Btitle%7D%7D')
        .set('Origin', APP)
        .set('Apollo-Require-Preflight', 'true')
        .expect(200);
      expect(res.body.data.headlines).toHaveLength(2);
      expect(cors(res)).toEqual({ 'access-control-allow-origin': APP });
    });

    test('the partner origin gets a bare 403 preflight', async () => {
      const res = await http()
        .options('/graphql')
        .set('Origin', PARTNER)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type')
        .expect(403);
      expect(cors(res)).toEqual({});
      expect(res.text).toBe('');
    });

    test('report() lists the /graphql row with the graphql policy', () => {
      const row = app
        .get(CorsPolicyRegistry)
        .report()
        .find((each) => each.path === '/graphql');
      expect(row).toMatchObject({ method: '*', handler: 'paths["/graphql"]', origins: [APP], credentials: false });
    });
  });
});
