/**
 * An exact origin in a policy only ever matches when it is written the way
 * browsers serialize it (WHATWG URL: `new URL(x).origin`). Entries that parse
 * as `scheme://host[:port]` but that no browser sends (`http://127.1`,
 * `http://[0:0:0:0:0:0:0:1]`, `https://a.1`, `https://xn--a.example`) can
 * never match; worse, `listExactOrigins()` hands them to other allow-lists
 * that normalize them (`enableCsrfProtection()` turns `http://127.1:3000` into
 * `http://127.0.0.1:3000`, and throws on `https://a.1`), so the lists disagree.
 * The startup validation refuses such entries, and these tests hold it to that.
 */
import { describe, expect, it } from '@jest/globals';
import { Controller, Get } from '@nestjs/common';
import fc from 'fast-check';
import { Cors, CorsConfigurationError, CorsModule, listExactOrigins } from '../../lib/index.js';
import { createApp } from '../e2e/app-factory.js';

const CANONICAL_SEED = 0x0c1a55;

/** How a browser serializes the origin of `value`, or `undefined` when no page can have it. */
function browserOrigin(value: string): string | undefined {
  try {
    return new URL(value).origin;
  } catch {
    return undefined;
  }
}

/** Hosts in every spelling the WHATWG host parser accepts, normalizes or refuses. */
const host = fc.oneof(
  fc.domain().map((d) => d.toLowerCase()),
  fc.ipV4(),
  fc.ipV4Extended(), // 127.1, 0x7f.0.0.1, 0177.0.0.1: browsers send 127.0.0.1
  fc.ipV6().map((ip) => `[${ip}]`), // uncompressed forms: browsers send the compressed one
  fc.tuple(fc.domain(), fc.integer({ min: 0, max: 999 })).map(([d, n]) => `${d.toLowerCase()}.${n}`), // numeric last label
  fc.stringMatching(/^[a-z0-9]{1,6}$/).map((s) => `xn--${s}.example`), // punycode, valid or not
);

const originString = fc
  .tuple(fc.constantFrom('http', 'https', 'ws', 'wss'), host, fc.option(fc.integer({ min: 1, max: 65_535 })))
  .map(([scheme, h, port]) => `${scheme}://${h}${port === null ? '' : `:${port}`}`);

describe('exact origins are the ones browsers send', () => {
  it('listExactOrigins() (the validator) accepts only canonical serialized origins', () => {
    fc.assert(
      fc.property(originString, (origin) => {
        for (const accepted of listExactOrigins([origin])) {
          expect(browserOrigin(accepted)).toBe(accepted);
        }
      }),
      { seed: CANONICAL_SEED, numRuns: 500 },
    );
  });

  it.each([
    ['http://127.1:3000', 'http://127.0.0.1:3000'],
    ['http://[0:0:0:0:0:0:0:1]:3000', 'http://[::1]:3000'],
    ['https://a.1', undefined],
    ['https://xn--a.example', undefined],
  ])('non-canonical %s (a browser sends %s)', (origin, sent) => {
    expect(browserOrigin(origin)).toBe(sent);
  });

  it('an app with origin "http://127.1:3000" does not boot', async () => {
    @Controller('x')
    @Cors({ origin: 'http://127.1:3000' })
    class LoopbackController {
      @Get() read() {
        return {};
      }
    }
    const error: unknown = await createApp('express', {
      imports: [CorsModule.forRoot({})],
      controllers: [LoopbackController],
    }).then(
      (app) => app.close().then(() => 'booted'),
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(CorsConfigurationError);
  });
});
