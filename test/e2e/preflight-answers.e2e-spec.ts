import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { All, Controller, Delete, Get, Options, Post, Put, type INestApplication } from '@nestjs/common';
import { Cors, CorsModule } from '../../lib/index.js';
import { ADAPTERS, createApp, RecordingLogger } from './app-factory.js';
import { corsHeaders, expectNoCorsHeaders, preflight } from './http-helpers.js';

const APP = 'https://app.example.com';

@Controller('docs')
@Cors({
  credentials: true,
  methods: ['GET', 'PUT', 'DELETE'],
  allowedHeaders: ['Content-Type', 'X-Request-Id'],
  maxAge: 600,
  optionsSuccessStatus: 200,
  allowPrivateNetwork: true,
})
class DocsController {
  @Put(':id')
  save() {
    return {};
  }
  @Delete(':id')
  remove() {
    return {};
  }
  @All('any/:id')
  any() {
    return {};
  }
}

@Controller('public')
@Cors({ origin: '*' })
class PublicController {
  @Post()
  create() {
    return {};
  }
}

@Controller('off')
@Cors(false)
class OffController {
  @Get()
  read() {
    return {};
  }
}

@Controller('continue')
@Cors({ preflightContinue: true })
class ContinueController {
  @Options()
  options() {
    return { handledBy: 'app' };
  }
  @Put()
  update() {
    return {};
  }
}

describe.each(ADAPTERS)('preflight answers (%s)', (adapter) => {
  let app: INestApplication;
  const logger = new RecordingLogger();
  beforeAll(async () => {
    app = await createApp(
      adapter,
      {
        imports: [CorsModule.forRoot({ origin: APP, debug: true })],
        controllers: [DocsController, PublicController, OffController, ContinueController],
      },
      { logger },
    );
  });
  afterAll(() => app.close());

  it('answers an allowed preflight with exactly the policy headers', async () => {
    const res = await preflight(app, '/docs/1', APP, 'PUT', {
      'Access-Control-Request-Headers': 'content-type,x-request-id',
      'Access-Control-Request-Private-Network': 'true',
    });
    expect(res.status).toBe(200);
    expect(corsHeaders(res)).toEqual({
      'access-control-allow-origin': APP,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'PUT',
      'access-control-allow-headers': 'content-type, x-request-id',
      'access-control-max-age': '600',
      'access-control-allow-private-network': 'true',
    });
    expect(res.headers['vary']).toBe(
      'Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network',
    );
    expect(res.headers['content-length']).toBe('0');
    expect(res.text).toBe('');
  });

  it('answers * for a credential-free wildcard policy, naming only the requested method and headers', async () => {
    const res = await preflight(app, '/public', 'https://anyone.example', 'POST', {
      'Access-Control-Request-Headers': 'x-trace, content-type',
    });
    expect(res.status).toBe(204);
    expect(corsHeaders(res)).toEqual({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'x-trace, content-type',
    });
    expect(res.headers['vary']).toBe('Access-Control-Request-Method, Access-Control-Request-Headers');
  });

  it('omits Allow-Headers when none are requested', async () => {
    const res = await preflight(app, '/public', 'https://anyone.example', 'POST');
    expect(res.headers['access-control-allow-headers']).toBeUndefined();
  });

  const refusals: Array<[string, string, string, string, Record<string, string>, string]> = [
    ['an unlisted origin', '/docs/1', 'https://evil.example', 'PUT', {}, 'origin not allowed'],
    ['a method the policy does not list', '/docs/any/1', APP, 'PATCH', {}, 'method PATCH not allowed'],
    [
      'a header the policy does not list',
      '/docs/1',
      APP,
      'PUT',
      { 'Access-Control-Request-Headers': 'content-type, x-secret' },
      'request header x-secret not allowed',
    ],
    ['a route with @Cors(false)', '/off', APP, 'GET', {}, 'CORS is off for this handler'],
    [
      'private network access not allowed',
      '/public',
      'https://anyone.example',
      'POST',
      { 'Access-Control-Request-Private-Network': 'true' },
      'private network access requested but not allowed',
    ],
  ];
  it.each(refusals)('refuses %s with 403, no CORS header, and the reason in the debug log', async (...args) => {
    const [, path, origin, method, headers, reason] = args;
    const before = logger.corsLines('debug').length;
    const res = await preflight(app, path, origin, method, headers);
    expect(res.status).toBe(403);
    expectNoCorsHeaders(res);
    expect(res.text).toBe('');
    const lines = logger.corsLines('debug').slice(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`CORS preflight ${method} ${path} from "${origin}"`);
    expect(lines[0]).toContain(reason);
  });

  it('names where the refusing field was declared and what would allow it', async () => {
    const before = logger.corsLines('debug').length;
    await preflight(app, '/docs/1', 'https://evil.example', 'PUT');
    const [line] = logger.corsLines('debug').slice(before);
    expect(line).toContain('refused by DocsController.save');
    expect(line).toContain('origin from module options: https://app.example.com');
    expect(line).toContain('add "https://evil.example" to origin');
  });

  it('hands the preflight to the application with preflightContinue, headers already set', async () => {
    const res = await preflight(app, '/continue', APP, 'PUT');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ handledBy: 'app' });
    expect(res.headers['access-control-allow-origin']).toBe(APP);
    expect(res.headers['access-control-allow-methods']).toBe('PUT');
  });

  it('never answers one method with the whole list, so a cached answer cannot cover a stricter handler', async () => {
    const del = await preflight(app, '/docs/1', APP, 'DELETE', { 'Access-Control-Request-Headers': 'x-request-id' });
    expect(del.status).toBe(200);
    expect(del.headers['access-control-allow-methods']).toBe('DELETE');
    expect(del.headers['access-control-allow-headers']).toBe('x-request-id');
  });
});
