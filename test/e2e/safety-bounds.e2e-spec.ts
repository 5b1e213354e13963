/**
 * Bounds browsers impose and origins anyone can register under: refused at
 * boot where they would silently mean something else or let strangers read
 * credentialed responses.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { Controller, Get, Put, type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Cors, CorsConfigurationError, CorsModule } from '../../lib/index.js';
import { ADAPTERS, bootError as bootWith, createApp, type AdapterName } from './app-factory.js';

const bootError = (adapter: AdapterName, metadata: Parameters<typeof bootWith>[1]) =>
  bootWith<CorsConfigurationError>(adapter, metadata);
import { corsHeaders, preflight } from './http-helpers.js';

@Controller('pages')
class PagesController {
  @Get()
  list() {
    return [];
  }
  @Put()
  save() {
    return {};
  }
}

describe.each(ADAPTERS)('safety bounds (%s)', (adapter) => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('a subdomain pattern over a public suffix with credentials stops the boot, naming the suffix', async () => {
    @Controller('account')
    @Cors({ origin: ['https://*.co.uk'], credentials: true })
    class AccountController {
      @Get()
      read() {
        return {};
      }
    }
    const error = await bootError(adapter, {
      imports: [CorsModule.forRoot({ origin: 'https://*.github.io', credentials: true })],
      controllers: [AccountController],
    });
    expect(error).toBeInstanceOf(CorsConfigurationError);
    expect(error.problems.map((p) => `${p.location} › ${p.message.slice(0, p.message.indexOf('. List'))}`)).toEqual([
      'module options › "https://*.github.io" with credentials: "github.io" is a public suffix (Public Suffix List), ' +
        "so anyone can register a subdomain under it and read your users' data with their cookies",
      'AccountController › "https://*.co.uk" with credentials: "co.uk" is a public suffix (Public Suffix List), ' +
        "so anyone can register a subdomain under it and read your users' data with their cookies",
    ]);
    expect(error.message).toContain('List the exact origins instead, e.g. "https://your-app.github.io"');
  });

  it('without credentials the pattern boots (with a warning) and allows its subdomains', async () => {
    app = await createApp(adapter, {
      imports: [CorsModule.forRoot({ origin: 'https://*.vercel.app' })],
      controllers: [PagesController],
    });
    const res = await request(app.getHttpServer()).get('/pages').set('Origin', 'https://my-app.vercel.app');
    expect(res.headers['access-control-allow-origin']).toBe('https://my-app.vercel.app');
  });

  it('maxAge above 86,400 stops the boot', async () => {
    const error = await bootError(adapter, {
      imports: [CorsModule.forRoot({ origin: 'https://app.example.com', maxAge: 604_800 })],
      controllers: [PagesController],
    });
    expect(error.problems).toEqual([
      {
        location: 'module options',
        field: 'maxAge',
        message:
          "604800 is more than 86400 seconds (24 hours), the longest any browser keeps a preflight (Firefox's cap; " +
          "Chromium's is 7200): write at most 86400",
      },
    ]);
  });

  it('maxAge of 86,400 boots (with a warning) and is sent as written', async () => {
    app = await createApp(adapter, {
      imports: [CorsModule.forRoot({ origin: 'https://app.example.com', maxAge: 86_400 })],
      controllers: [PagesController],
    });
    const res = await preflight(app, '/pages', 'https://app.example.com', 'PUT');
    expect(res.status).toBe(204);
    expect(corsHeaders(res)['access-control-max-age']).toBe('86400');
  });
});
