import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, type ExecutionContext, type INestApplication } from '@nestjs/common';
import { ClientProxyFactory, MessagePattern, Transport, type ClientProxy } from '@nestjs/microservices';
import { createServer } from 'node:net';
import { firstValueFrom } from 'rxjs';
import request from 'supertest';
import { Cors, CorsModule, CorsPolicyRegistry } from '../../lib/index.js';
import { CorsGuard } from '../../lib/cors.guard.js';
import { CorsRequestHook } from '../../lib/cors-request.hook.js';
import { ADAPTERS, createApp } from './app-factory.js';

const APP = 'https://app.example.com';

@Controller('math')
@Cors({ origin: APP, rejectDisallowedOrigins: true })
class MathController {
  @MessagePattern('sum')
  sum(numbers: number[]) {
    return numbers.reduce((a, b) => a + b, 0);
  }
  @Get()
  info() {
    return { ok: true };
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** A context of another transport: any attempt to read it as HTTP fails the test. */
function foreignContext(type: string): ExecutionContext {
  const refuse = () => {
    throw new Error(`the ${type} context was read as HTTP`);
  };
  return {
    getType: () => type,
    switchToHttp: refuse,
    getClass: () => MathController,
    getHandler: () => MathController.prototype.info,
    getArgs: () => [{}, {}, {}, {}],
    getArgByIndex: () => ({}),
    switchToRpc: refuse,
    switchToWs: refuse,
  } as unknown as ExecutionContext;
}

describe.each(ADAPTERS)('non-HTTP contexts (%s)', (adapter) => {
  let app: INestApplication;
  let client: ClientProxy;
  beforeAll(async () => {
    const port = await freePort();
    app = await createApp(adapter, {
      imports: [CorsModule.forRoot({ origin: APP })],
      controllers: [MathController],
    });
    app.connectMicroservice(
      { transport: Transport.TCP, options: { host: '127.0.0.1', port } },
      { inheritAppConfig: true },
    );
    await app.startAllMicroservices();
    client = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port } });
    await client.connect();
  });
  afterAll(async () => {
    client.close();
    await app.close();
  });

  it('lets microservice messages through the global guard untouched', async () => {
    await expect(firstValueFrom(client.send('sum', [1, 2, 3]))).resolves.toBe(6);
  });

  it('still applies the policy to the HTTP route of the same controller', async () => {
    const res = await request(app.getHttpServer()).get('/math').set('Origin', 'https://evil.example');
    expect(res.status).toBe(403);
  });

  it.each(['ws', 'graphql', 'rpc'])('passes a %s context through the guard', (type) => {
    const guard = new CorsGuard(app.get(CorsPolicyRegistry), app.get(CorsRequestHook));
    expect(guard.canActivate(foreignContext(type))).toBe(true);
  });
});
