import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Put, type INestApplication } from '@nestjs/common';
import { Cors, CorsModule } from '../../lib/index.js';
import { ADAPTERS, createApp, RecordingLogger } from './app-factory.js';
import { corsHeaders, preflight } from './http-helpers.js';

const APP = 'https://app.example.com';

@Controller('narrow')
@Cors({ allowedHeaders: ['Content-Type'] })
class NarrowController {
  @Put()
  save() {
    return {};
  }
}

@Controller('wide')
@Cors({ allowedHeaders: ['Content-Type', 'X-Request-Id'] })
class WideController {
  @Put()
  save() {
    return {};
  }
}

// The same names as WideController, another array.
@Controller('wide-again')
@Cors({ allowedHeaders: ['Content-Type', 'X-Request-Id'] })
class WideAgainController {
  @Put()
  save() {
    return {};
  }
}

@Controller('any')
@Cors()
class AnyHeadersController {
  @Put()
  save() {
    return {};
  }
}

/** [path, Access-Control-Request-Headers, status, Access-Control-Allow-Headers or the refusal's debug text] */
const CASES: Array<[string, string, number, string]> = [
  ['/narrow', 'content-type, x-request-id', 403, 'request header x-request-id not allowed'],
  ['/wide', 'content-type, x-request-id', 204, 'content-type, x-request-id'],
  ['/wide-again', 'content-type, x-request-id', 204, 'content-type, x-request-id'],
  ['/any', 'content-type, x-request-id', 204, 'content-type, x-request-id'],
  ['/narrow', 'Content-Type', 204, 'Content-Type'],
  ['/wide', 'Content-Type,X-Request-Id', 204, 'Content-Type, X-Request-Id'],
  ['/narrow', 'Content-Type,X-Request-Id', 403, 'request header x-request-id not allowed'],
  ['/wide', 'x-other', 403, 'request header x-other not allowed'],
  ['/any', 'x-other', 204, 'x-other'],
  ['/wide', 'content-type, bad name', 403, 'Access-Control-Request-Headers is malformed'],
  ['/any', 'content-type, bad name', 403, 'Access-Control-Request-Headers is malformed'],
];

async function expectAnswer(
  app: INestApplication,
  logger: RecordingLogger,
  [path, requestHeaders, status, expected]: [string, string, number, string],
): Promise<void> {
  const before = logger.corsLines('debug').length;
  const res = await preflight(app, path, APP, 'PUT', { 'Access-Control-Request-Headers': requestHeaders });
  expect({ path, requestHeaders, status: res.status }).toEqual({ path, requestHeaders, status });
  if (status === 204) {
    expect(corsHeaders(res)['access-control-allow-headers']).toBe(expected);
  } else {
    expect(corsHeaders(res)).toEqual({});
    const lines = logger.corsLines('debug').slice(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(expected);
  }
}

describe.each(ADAPTERS)('kept answers to Access-Control-Request-Headers (%s)', (adapter) => {
  let app: INestApplication;
  const logger = new RecordingLogger();
  beforeAll(async () => {
    app = await createApp(
      adapter,
      {
        imports: [CorsModule.forRoot({ origin: APP, debug: true })],
        controllers: [NarrowController, WideController, WideAgainController, AnyHeadersController],
      },
      { logger },
    );
  });
  afterAll(() => app.close());

  it('answers the same value by each route’s own policy, however often and in whatever order it comes', async () => {
    for (const order of [CASES, [...CASES].reverse(), CASES]) {
      for (const testCase of order) await expectAnswer(app, logger, testCase);
    }
  });

  it('keeps answering correctly after a client has sent far more distinct values than are kept', async () => {
    for (let i = 0; i < 100; i++) {
      await expectAnswer(app, logger, ['/wide', `content-type, x-probe-${i}`, 403, `request header x-probe-${i}`]);
    }
    for (const testCase of CASES) await expectAnswer(app, logger, testCase);
  });

  it('answers long values, which are not kept, the same every time', async () => {
    const long = Array.from({ length: 30 }, () => 'content-type').join(', ');
    expect(long.length).toBeGreaterThan(256);
    for (let i = 0; i < 3; i++) {
      await expectAnswer(app, logger, ['/wide', long, 204, long]);
      await expectAnswer(app, logger, ['/narrow', `${long}, x-request-id`, 403, 'request header x-request-id']);
    }
  });
});
