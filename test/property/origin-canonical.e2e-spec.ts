/**
 * An exact origin in a policy only ever matches when it is written the way
 * browsers serialize it (WHATWG URL: `new URL(x).origin`). Entries that parse
 * as `scheme://host[:port]` but that no browser sends (`http://127.1`,
 * `http://[0:0:0:0:0:0:0:1]`, `https://a.1`, `https://xn--a.example`) can
 * never match; worse, `listExactOrigins()` hands them to other allow-lists
 * that normalize them (`enableCsrfProtection()` turns `http://127.1:3000` into
 * `http://127.0.0.1:3000`, and throws on `https://a.1`), so the lists disagree.
 * The startup validation refuses such entries, and these tests hold it to that.
 *
 * On the request side, the `Origin` parser follows the Fetch standard's
 * grammar (2026): lowercase scheme and host, no default port, IPv4 in dotted
 * decimal, IPv6 compressed and lowercase in brackets, `null` case-sensitive.
 * Any other spelling is never allowed or reflected, even by a RegExp or a
 * function that would say yes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, type INestApplication } from '@nestjs/common';
import fc from 'fast-check';
import request from 'supertest';
import { parseSerializedOrigin } from '../../lib/engine/origin-syntax.js';
import { ProblemList, validatePolicyFields } from '../../lib/engine/policy-validator.js';
import { Cors, CorsConfigurationError, CorsModule, listExactOrigins } from '../../lib/index.js';
import { ADAPTERS, createApp } from '../e2e/app-factory.js';

const CANONICAL_SEED = 0x0c1a55;
const GRAMMAR_SEED = 0x2026f;

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

/** Eight random 16-bit pieces, with runs of zeros likely (that is where compression happens). */
const ipv6Pieces = fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })), {
  minLength: 8,
  maxLength: 8,
});

/** The canonical text of pieces (what a browser sends), via the WHATWG URL parser. */
function canonicalIpv6(pieces: number[]): string {
  return new URL(`http://[${pieces.map((p) => p.toString(16)).join(':')}]`).host;
}

/** Other spellings of the same address: uncompressed, zero-padded, uppercase, compressed elsewhere, IPv4 tail. */
const ipv6Spelling = fc
  .tuple(ipv6Pieces, fc.constantFrom('canonical', 'full', 'padded', 'upper', 'ipv4-tail', 'fc'))
  .chain(([pieces, form]) => {
    const hex = pieces.map((p) => p.toString(16));
    switch (form) {
      case 'canonical':
        return fc.constant(canonicalIpv6(pieces));
      case 'full':
        return fc.constant(`[${hex.join(':')}]`);
      case 'padded':
        return fc.constant(`[${hex.map((h) => h.padStart(4, '0')).join(':')}]`);
      case 'upper':
        return fc.constant(canonicalIpv6(pieces).toUpperCase());
      case 'ipv4-tail':
        return fc.constant(
          `[${hex.slice(0, 6).join(':')}:${pieces[6] >> 8}.${pieces[6] & 0xff}.${pieces[7] >> 8}.${pieces[7] & 0xff}]`,
        );
      default:
        return fc.ipV6().map((ip) => `[${ip}]`);
    }
  });

/** Letters in random case: browsers only ever send lowercase schemes and hosts. */
const randomCase = (text: string) =>
  fc
    .array(fc.boolean(), { minLength: text.length, maxLength: text.length })
    .map((upper) => [...text].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));

const requestHost = fc.oneof(
  fc.domain().map((d) => d.toLowerCase()),
  fc.domain().chain(randomCase),
  fc.ipV4(),
  fc.ipV4Extended(),
  ipv6Spelling,
);

/** Values a request's Origin header may carry: schemes in any case, hosts in any spelling, ports or default ports. */
const requestOrigin = fc
  .tuple(
    fc.constantFrom('http', 'https').chain(randomCase),
    requestHost,
    fc.option(fc.constantFrom(80, 443, 8080, 3000, 65_535)),
  )
  .map(([scheme, h, port]) => `${scheme}://${h}${port === null ? '' : `:${port}`}`);

describe('request Origin values follow the Fetch Origin grammar', () => {
  it('an Origin the parser accepts is exactly what a browser sends for it (no uppercase, no other IPv6 or IPv4 spelling)', () => {
    fc.assert(
      fc.property(requestOrigin, (origin) => {
        if (parseSerializedOrigin(origin) !== undefined) {
          expect(browserOrigin(origin)).toBe(origin);
        }
      }),
      { seed: GRAMMAR_SEED, numRuns: 2000 },
    );
  });

  it('every origin a browser sends for these hosts is accepted', () => {
    fc.assert(
      fc.property(requestOrigin, (value) => {
        const sent = browserOrigin(value);
        if (sent !== undefined && sent !== 'null') {
          expect(parseSerializedOrigin(sent)).toBeDefined();
        }
      }),
      { seed: GRAMMAR_SEED, numRuns: 2000 },
    );
  });

  it('IPv6: only the compressed lowercase spelling parses', () => {
    fc.assert(
      fc.property(ipv6Pieces, ipv6Spelling, (pieces, spelling) => {
        const canonical = canonicalIpv6(pieces);
        expect(parseSerializedOrigin(`http://${canonical}:8080`)?.host).toBe(canonical);
        const parsed = parseSerializedOrigin(`http://${spelling}`);
        expect(parsed === undefined || parsed.host === new URL(`http://${spelling}`).host).toBe(true);
        if (spelling !== new URL(`http://${spelling}`).host) expect(parsed).toBeUndefined();
      }),
      { seed: GRAMMAR_SEED, numRuns: 1000 },
    );
  });

  it('"null" is matched only as written, case-sensitive', () => {
    fc.assert(
      fc.property(randomCase('null'), (value) => {
        expect(parseSerializedOrigin(value)).toBeUndefined();
        const accepted = listExactOrigins([value]);
        expect(accepted).toEqual([]);
      }),
      { seed: GRAMMAR_SEED, numRuns: 50 },
    );
  });
});

describe('a policy origin written non-canonically is refused at boot with the spelling browsers send', () => {
  it('the boot error names the canonical spelling', () => {
    fc.assert(
      fc.property(requestOrigin, (entry) => {
        const sent = browserOrigin(entry);
        fc.pre(sent !== undefined && sent !== 'null' && sent !== entry && !entry.includes('*'));
        const problems = new ProblemList();
        validatePolicyFields({ origin: entry }, 'UsersController', problems);
        expect(problems.items).toHaveLength(1);
        expect(problems.items[0].message).toContain(`"${sent}"`);
      }),
      { seed: GRAMMAR_SEED, numRuns: 500 },
    );
  });
});

@Controller('open')
@Cors({ origin: [/^.+$/], credentials: false })
class RegexpController {
  @Get() read() {
    return {};
  }
}

@Controller('predicate')
@Cors({ origin: () => true })
class PredicateController {
  @Get() read() {
    return {};
  }
}

describe.each(ADAPTERS)('non-canonical Origin values are never reflected (%s)', (adapter) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(adapter, {
      imports: [CorsModule.forRoot({})],
      controllers: [RegexpController, PredicateController],
    });
  });
  afterAll(() => app.close());

  it.each(['http://[::1]:3000', 'http://[2001:db8::1]', 'http://127.0.0.1:8080', 'https://app.example.com'])(
    'the canonical %s is reflected',
    async (origin) => {
      for (const path of ['/open', '/predicate']) {
        const res = await request(app.getHttpServer()).get(path).set('Origin', origin);
        expect(res.headers['access-control-allow-origin']).toBe(origin);
      }
    },
  );

  it.each([
    'HTTPS://app.example.com',
    'https://App.Example.com',
    'http://[0:0:0:0:0:0:0:1]:3000',
    'http://[::0001]',
    'http://[ABCD::1]',
    'http://[::ffff:127.0.0.1]',
    'http://127.1',
    'http://0x7f.0.0.1',
    'https://app.example.com:443',
    'NULL',
    'Null',
  ])('%s is not reflected', async (origin) => {
    for (const path of ['/open', '/predicate']) {
      const res = await request(app.getHttpServer()).get(path).set('Origin', origin);
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('random Origin spellings: reflected exactly when a browser sends that very string', async () => {
    const samples = fc.sample(requestOrigin, { seed: GRAMMAR_SEED, numRuns: 60 });
    for (const origin of samples) {
      const res = await request(app.getHttpServer()).get('/open').set('Origin', origin);
      const reflected = res.headers['access-control-allow-origin'];
      if (browserOrigin(origin) === origin) expect(reflected).toBe(origin);
      else expect(reflected).toBeUndefined();
    }
  });
});
