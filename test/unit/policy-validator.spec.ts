import { describe, expect, it } from '@jest/globals';
import {
  checkOriginField,
  formatProblem,
  ORIGIN_TRUE_PROBLEM,
  ProblemList,
  validateMergedPolicy,
  validatePolicyFields,
  type PolicyProblem,
} from '../../lib/engine/policy-validator.js';
import type { CorsPolicy } from '../../lib/interfaces/cors-policy.interface.js';
import { merged } from './helpers.js';

const LOCATION = 'UsersController.create';

function fieldProblems(policy: unknown, extraKeys?: ReadonlySet<string>): PolicyProblem[] {
  const problems = new ProblemList();
  validatePolicyFields(policy, LOCATION, problems, extraKeys);
  return problems.items;
}

function mergedProblems(...levels: Array<[label: string, fields: CorsPolicy]>): PolicyProblem[] {
  const problems = new ProblemList();
  validateMergedPolicy(merged(...levels), 'fallback', problems);
  return problems.items;
}

/** Asserts exactly one problem, at LOCATION on `field`, whose message contains every fragment. */
function expectOneProblem(problems: PolicyProblem[], field: string, ...fragments: string[]): void {
  expect(problems).toHaveLength(1);
  expect(problems[0].location).toBe(LOCATION);
  expect(problems[0].field).toBe(field);
  for (const fragment of fragments) {
    expect(problems[0].message).toContain(fragment);
  }
}

describe('ProblemList', () => {
  it('keeps each problem once, in the order found', () => {
    const list = new ProblemList();
    list.add('A', 'origin', 'bad');
    list.add('B', 'origin', 'bad');
    list.add('A', 'origin', 'bad');
    list.add('A', 'methods', 'bad');
    list.add('A', 'origin', 'worse');
    list.add('B', 'origin', 'bad');
    expect(list.items).toEqual([
      { location: 'A', field: 'origin', message: 'bad' },
      { location: 'B', field: 'origin', message: 'bad' },
      { location: 'A', field: 'methods', message: 'bad' },
      { location: 'A', field: 'origin', message: 'worse' },
    ]);
  });

  it('does not confuse values that would collide if simply concatenated', () => {
    const list = new ProblemList();
    list.add('a', 'bc', 'd');
    list.add('ab', 'c', 'd');
    expect(list.items).toHaveLength(2);
  });
});

describe('ProblemList warnings', () => {
  it('keeps each warning once, apart from the problems', () => {
    const list = new ProblemList();
    list.warn('A', 'maxAge', 'long');
    list.add('A', 'maxAge', 'long');
    list.warn('A', 'maxAge', 'long');
    expect(list.warnings).toEqual([{ location: 'A', field: 'maxAge', message: 'long' }]);
    expect(list.items).toEqual([{ location: 'A', field: 'maxAge', message: 'long' }]);
  });

  it('formatProblem() prints one line as the boot error does', () => {
    expect(formatProblem({ location: 'UsersController.create', field: 'origin', message: 'bad' })).toBe(
      'UsersController.create › origin: bad',
    );
  });
});

describe('validatePolicyFields', () => {
  it('accepts a complete, valid policy', () => {
    expect(
      fieldProblems({
        origin: ['https://a.com', 'https://*.example.com', 'http://localhost:*', 'null', /^https:\/\/b\.com$/],
        methods: ['GET', 'patch', 'PROPFIND'],
        allowedHeaders: 'Content-Type, X-Api-Key, Authorization',
        exposedHeaders: ['X-Total-Count'],
        credentials: true,
        maxAge: 600,
        optionsSuccessStatus: 200,
        preflightContinue: false,
        allowPrivateNetwork: true,
        rejectDisallowedOrigins: true,
        dangerouslyAllowInsecureOriginsWithCredentials: false,
      }),
    ).toEqual([]);
    expect(fieldProblems({ origin: () => true, methods: '*', allowedHeaders: '*', exposedHeaders: '*' })).toEqual([]);
    expect(fieldProblems({})).toEqual([]);
    expect(fieldProblems({ maxAge: 0, optionsSuccessStatus: 299 })).toEqual([]);
  });

  it.each([
    ['null', null],
    ['an array', []],
    ['a string', 'public'],
    ['false', false],
  ])('refuses %s as a policy', (_label, policy) => {
    expectOneProblem(fieldProblems(policy), '(policy)', 'must be an object of policy fields');
  });

  describe('unknown fields', () => {
    it('reports a typo under its own name, with the field it misspells', () => {
      expect(fieldProblems({ orgin: 'https://a.com' })).toEqual([
        { location: LOCATION, field: 'orgin', message: 'is not a CORS policy field; did you mean "origin"?' },
      ]);
    });

    it.each([
      ['Origin', 'origin'],
      ['orign', 'origin'],
      ['origins', 'origin'],
      ['allowedOrigins', 'origin'],
      ['credential', 'credentials'],
      ['allowCredentials', 'credentials'],
      ['allowHeaders', 'allowedHeaders'],
      ['allowedHeader', 'allowedHeaders'],
      ['exposeHeaders', 'exposedHeaders'],
      ['max_age', 'maxAge'],
      ['maxage', 'maxAge'],
      ['allowMethods', 'methods'],
      ['method', 'methods'],
      ['optionSuccessStatus', 'optionsSuccessStatus'],
      ['allowPrivateNetworks', 'allowPrivateNetwork'],
      ['rejectDisalowedOrigins', 'rejectDisallowedOrigins'],
    ])('%s: did you mean "%s"?', (key, known) => {
      expectOneProblem(fieldProblems({ [key]: true }), key, `is not a CORS policy field; did you mean "${known}"?`);
      expect(fieldProblems({ [key]: true })[0].message).toBe(`is not a CORS policy field; did you mean "${known}"?`);
    });

    it('suggests the extra keys of a container too', () => {
      expect(fieldProblems({ debg: true }, new Set(['debug', 'policies']))[0].message).toBe(
        'is not a CORS policy field; did you mean "debug"?',
      );
      expect(fieldProblems({ polices: {} }, new Set(['debug', 'policies']))[0].message).toBe(
        'is not a CORS policy field; did you mean "policies"?',
      );
    });

    it('lists the known fields when no field is close', () => {
      expect(fieldProblems({ tenant: 'acme' }, new Set(['debug']))[0].message).toBe(
        'is not a CORS policy field (known fields: origin, methods, allowedHeaders, exposedHeaders, credentials, ' +
          'maxAge, optionsSuccessStatus, preflightContinue, allowPrivateNetwork, rejectDisallowedOrigins, ' +
          'rejectMissingOrigin, dangerouslyAllowInsecureOriginsWithCredentials, debug)',
      );
    });

    it('accepts the extra keys of a container', () => {
      expect(fieldProblems({ origin: 'https://a.com', debug: true }, new Set(['debug', 'policies']))).toEqual([]);
    });
  });

  describe('migration from enableCors(), cors and @fastify/cors', () => {
    it.each([
      ['headers', "is not a CORS policy field; is the cors package's alias of allowedHeaders; write allowedHeaders"],
      [
        'preflight',
        'is not a CORS policy field; is an @fastify/cors option; here every preflight is answered by the policy of ' +
          'the route it targets: set preflightContinue: true to pass preflights on to an @Options() handler, ' +
          'or @Cors(false) to refuse them',
      ],
      [
        'strictPreflight',
        'is not a CORS policy field; is an @fastify/cors option; here an OPTIONS request without Origin and ' +
          'Access-Control-Request-Method is not a preflight and always goes to your application: remove it',
      ],
      [
        'hideOptionsRoute',
        'is not a CORS policy field; is an @fastify/cors option; this module registers no OPTIONS route: remove it',
      ],
      [
        'logLevel',
        'is not a CORS policy field; is an @fastify/cors option; write debug: true (module options) to log each ' +
          'refused CORS request',
      ],
      [
        'delegator',
        'is not a CORS policy field; is an @fastify/cors option (options per request); declare per-route policies ' +
          'with @Cors() and named policies, and decide per request with an origin function (origin, request) => boolean',
      ],
      [
        'cacheControl',
        'is not a CORS policy field; is an @fastify/cors option; preflight answers carry no Cache-Control here, ' +
          'browsers keep them for maxAge: remove it',
      ],
      [
        'hook',
        'is not a CORS policy field; is an @fastify/cors option; preflights are already answered in the earliest ' +
          'request hook: remove it',
      ],
    ])('%s gets what to write instead', (key, message) => {
      expect(fieldProblems({ origin: 'https://a.com', [key]: 'x' })).toEqual([
        { location: LOCATION, field: key, message },
      ]);
    });

    it('origin: true names the list to write instead', () => {
      expect(fieldProblems({ origin: true })).toEqual([
        {
          location: LOCATION,
          field: 'origin',
          message:
            "true reflects any origin (the cors package's meaning), which lets any site read these responses, " +
            "with your users' cookies when credentials are allowed; write the list of origins, " +
            "e.g. origin: ['https://app.example.com'], or '*' without credentials",
        },
      ]);
      expect(fieldProblems({ origin: true })[0].message).toBe(ORIGIN_TRUE_PROBLEM);
    });

    it('origin: false names @Cors(false)', () => {
      expect(fieldProblems({ origin: false })).toEqual([
        {
          location: LOCATION,
          field: 'origin',
          message:
            'false turns CORS off in the cors package; here leave origin unset (no origin is allowed) ' +
            'or write @Cors(false) on the controller or handler',
        },
      ]);
    });

    it('a boolean inside a list is an invalid entry', () => {
      expectOneProblem(fieldProblems({ origin: ['https://a.com', true] }), 'origin', 'got boolean true');
    });

    const callbackStyle: Array<[string, unknown]> = [
      [
        '(origin, callback) => callback(null, true)',
        (_origin: string, callback: (e: null, a: boolean) => void) => callback(null, true),
      ],
      [
        'function (origin, cb) { cb(null, true) }',
        function (_origin: string, cb: (e: null, a: boolean) => void) {
          cb(null, true);
        },
      ],
      [
        'async (origin, done) => done(null, await lookup())',
        async (_o: string, done: (e: null, a: boolean) => void) => done(null, await Promise.resolve(true)),
      ],
      ['(origin, next) => next()', (_o: string, next: () => void) => next()],
      [
        'a second parameter with another name, called',
        (origin: string, reply: (e: null, a: boolean) => void) => reply(null, origin.endsWith('.example.com')),
      ],
      [
        'a second parameter called through .call',
        (origin: string, fn: (e: null, a: boolean) => void) => fn.call(undefined, null, origin === 'https://a.com'),
      ],
      [
        'a second parameter named …Callback, passed on',
        (origin: string, originCallback: unknown) => void [origin, originCallback],
      ],
      [
        'an object method',
        {
          origin(_o: string, cb: (e: null, a: boolean) => void) {
            cb(null, true);
          },
        }.origin,
      ],
    ];
    it.each(callbackStyle)('a callback-style function is refused with the rewrite: %s', (_label, origin) => {
      expect(fieldProblems({ origin })).toEqual([
        {
          location: LOCATION,
          field: 'origin',
          message:
            "is a callback-style function (origin, callback) => callback(null, allowed), the cors package's form, " +
            'which this module never calls back; return the answer instead: (origin) => allowed, or ' +
            'async (origin) => allowed for a lookup (the second argument here is the request: (origin, request) => boolean)',
        },
      ]);
    });

    const requestStyle: Array<[string, unknown]> = [
      ['(origin) => boolean', (origin: string) => origin === 'https://a.com'],
      ['async (origin) => boolean', async (origin: string) => origin === 'https://a.com'],
      [
        '(origin, request) => reads the request',
        (origin: string, request: { headers: Record<string, string> }) => request.headers['x-tenant'] === origin,
      ],
      ['(origin, req) => req.get()', (_o: string, req: { get(name: string): string }) => req.get('x') === 'y'],
      ['(origin, request) passed to a helper', (origin: string, request: unknown) => [origin, request].length === 2],
      [
        'a bound function (source unknown)',
        function (this: unknown, origin: string, request: unknown) {
          return Boolean(this) && origin !== '' && request !== undefined;
        }.bind({}),
      ],
    ];
    it.each(requestStyle)('a function of this module is accepted: %s', (_label, origin) => {
      expect(fieldProblems({ origin })).toEqual([]);
    });
    it('a two-parameter function whose source cannot be read is accepted with a warning', () => {
      function checkTenant(this: { ready: boolean }, origin: string, request: unknown) {
        return this.ready && origin !== '' && request !== undefined;
      }
      const problems = new ProblemList();
      validatePolicyFields({ origin: checkTenant.bind({ ready: true }) }, LOCATION, problems);
      expect(problems.items).toEqual([]);
      expect(problems.warnings).toEqual([
        {
          location: LOCATION,
          field: 'origin',
          message:
            '"bound checkTenant" takes two parameters and its source cannot be read (a bound or native function), ' +
            "so it cannot be told from the cors package's callback form (origin, callback); it is called as " +
            '(origin, request) => boolean: if its second parameter is a callback, return the answer instead',
        },
      ]);
      const oneParameter = new ProblemList();
      validatePolicyFields({ origin: ((origin: string) => origin !== '').bind(null) }, LOCATION, oneParameter);
      expect(oneParameter.warnings).toEqual([]);
    });
  });

  describe('origin', () => {
    it.each([
      ['a number', 42, 'got number 42'],
      ['an object', { url: 'https://a.com' }, 'got an object'],
      ['null', null, 'got null'],
      ['a number in a list', ['https://a.com', 7], 'got number 7'],
      ['a nested list', [['https://a.com']], 'got an array'],
    ])('refuses %s', (_label, origin, fragment) => {
      expectOneProblem(fieldProblems({ origin }), 'origin', 'must be a string, a RegExp', fragment);
    });

    it('names a function put inside a list as a function', () => {
      const problems = fieldProblems({ origin: ['https://a.com', () => true] });
      expectOneProblem(problems, 'origin', 'must be a string, a RegExp');
      expect(problems[0].message).not.toContain('undefined');
    });

    it('reports a bigint instead of throwing', () => {
      expectOneProblem(fieldProblems({ origin: 10n }), 'origin', 'must be a string, a RegExp');
    });

    it('reports a malformed origin string with the fix', () => {
      expectOneProblem(fieldProblems({ origin: 'https://a.com/' }), 'origin', '"https://a.com"');
    });

    it('reports each malformed entry of a list', () => {
      const problems = fieldProblems({ origin: ['https://a.com/', 'https://ok.com', 'HTTPS://B.COM'] });
      expect(problems.map((p) => [p.location, p.field])).toEqual([
        [LOCATION, 'origin'],
        [LOCATION, 'origin'],
      ]);
      expect(problems[0].message).toContain('slash');
      expect(problems[1].message).toContain('lowercase');
    });

    it.each([
      ['no anchors', /example\.com/],
      ['no $', /^https:\/\/a\.com/],
      ['no ^', /https:\/\/a\.com$/],
      ['an escaped $', /^https:\/\/a\.com\$/],
    ])('refuses a RegExp with %s', (_label, regexp) => {
      expectOneProblem(fieldProblems({ origin: regexp }), 'origin', String(regexp), 'anchored with ^ and $');
    });

    it('refuses a RegExp whose top-level alternation leaves a branch unanchored', () => {
      // Matches "https://a.com.evil.net": only the first branch has ^, only the last has $.
      const regexp = /^https:\/\/a\.com|https:\/\/b\.com$/;
      expect(regexp.test('https://a.com.evil.net')).toBe(true);
      expectOneProblem(fieldProblems({ origin: regexp }), 'origin', String(regexp));
    });

    it('accepts an anchored RegExp, with alternation inside a group', () => {
      expect(fieldProblems({ origin: /^https:\/\/(a|b)\.example\.com$/ })).toEqual([]);
      expect(fieldProblems({ origin: [/^https:\/\/a\.com$/, /^https:\/\/[a-z]+\.b\.com$/i] })).toEqual([]);
    });
  });

  describe('methods', () => {
    it.each(['CONNECT', 'connect', 'Trace', 'TRACE', 'track', 'TRACK'])('refuses the forbidden method %s', (method) => {
      expectOneProblem(fieldProblems({ methods: ['GET', method] }), 'methods', `"${method}" is a forbidden method`);
    });

    it('refuses a forbidden method in a comma-separated string', () => {
      expectOneProblem(fieldProblems({ methods: 'GET, connect' }), 'methods', '"connect" is a forbidden method');
    });

    it.each(['GE T', 'GET;', 'PÖST', '(GET)'])('refuses the malformed method %j', (method) => {
      expectOneProblem(fieldProblems({ methods: [method] }), 'methods', `"${method}" is not a valid method`);
    });

    it.each([
      ['a number', 1, 'got number 1'],
      ['an object', { GET: true }, 'got an object'],
      ['a list with a number', ['GET', 2], 'got an array'],
    ])('refuses %s', (_label, methods, fragment) => {
      expectOneProblem(fieldProblems({ methods }), 'methods', 'must be a string or an array of strings', fragment);
    });
  });

  describe('allowedHeaders', () => {
    it.each(['X Foo', 'x@y', 'x:y'])('refuses the malformed name %j', (name) => {
      expectOneProblem(
        fieldProblems({ allowedHeaders: ['content-type', name] }),
        'allowedHeaders',
        `"${name}" is not a valid header name`,
      );
    });

    it.each(['Cookie', 'cookie', 'Host', 'Origin', 'Sec-Fetch-Mode', 'Proxy-Authorization', 'Content-Length'])(
      'refuses the forbidden request header %s',
      (name) => {
        expectOneProblem(
          fieldProblems({ allowedHeaders: ['Content-Type', name] }),
          'allowedHeaders',
          `"${name}" is a forbidden request header`,
        );
      },
    );

    it('accepts Authorization and custom names', () => {
      expect(fieldProblems({ allowedHeaders: ['Authorization', 'X-Requested-With', '*'] })).toEqual([]);
    });
  });

  describe('exposedHeaders', () => {
    it.each(['Set-Cookie', 'set-cookie', 'Set-Cookie2'])('refuses %s', (name) => {
      expectOneProblem(
        fieldProblems({ exposedHeaders: ['X-Total', name] }),
        'exposedHeaders',
        `"${name}" can never be exposed`,
      );
    });

    it('refuses a malformed name', () => {
      expectOneProblem(fieldProblems({ exposedHeaders: 'x total' }), 'exposedHeaders', '"x total" is not a valid');
    });

    it('accepts ordinary response header names', () => {
      expect(fieldProblems({ exposedHeaders: ['X-Total', 'Content-Disposition'] })).toEqual([]);
    });
  });

  describe('maxAge', () => {
    it.each([
      ['negative', -1, 'got number -1'],
      ['not an integer', 1.5, 'got number 1.5'],
      ['a string', '600', 'got string "600"'],
      ['NaN', Number.NaN, 'got number'],
      ['Infinity', Number.POSITIVE_INFINITY, 'got number'],
      ['unsafe', 2 ** 60, 'got number'],
      ['a bigint', 600n, 'got bigint'],
    ])('refuses %s', (_label, maxAge, fragment) => {
      expectOneProblem(fieldProblems({ maxAge }), 'maxAge', 'non-negative integer', fragment);
    });

    it('refuses more than 86,400 seconds (Firefox keeps a preflight at most that long)', () => {
      expect(fieldProblems({ maxAge: 86_401 })).toEqual([
        {
          location: LOCATION,
          field: 'maxAge',
          message:
            "86401 is more than 86400 seconds (24 hours), the longest any browser keeps a preflight (Firefox's cap; " +
            "Chromium's is 7200): write at most 86400",
        },
      ]);
      expect(fieldProblems({ maxAge: 1_000_000 })).toHaveLength(1);
    });

    it('warns above 7,200 seconds that Chromium caps it, and boots', () => {
      const problems = new ProblemList();
      validatePolicyFields({ maxAge: 86_400 }, LOCATION, problems);
      expect(problems.items).toEqual([]);
      expect(problems.warnings).toEqual([
        {
          location: LOCATION,
          field: 'maxAge',
          message:
            '86400 seconds: Chromium caps Access-Control-Max-Age at 7200 (2 hours) and sends the preflight again ' +
            'after that; Firefox keeps it up to 86400',
        },
      ]);
      const atCap = new ProblemList();
      validatePolicyFields({ maxAge: 7_201 }, LOCATION, atCap);
      expect(atCap.warnings.map((w) => w.message)).toEqual([
        '7201 seconds: Chromium caps Access-Control-Max-Age at 7200 (2 hours) and sends the preflight again ' +
          'after that; Firefox keeps it up to 86400',
      ]);
    });

    it.each([0, 600, 7_200])('accepts %i seconds without a warning', (maxAge) => {
      const problems = new ProblemList();
      validatePolicyFields({ maxAge }, LOCATION, problems);
      expect(problems.items).toEqual([]);
      expect(problems.warnings).toEqual([]);
    });
  });

  describe('optionsSuccessStatus', () => {
    it.each([
      ['a redirect', 302, 'got number 302'],
      ['not an integer', 2.5, 'got number 2.5'],
      ['199', 199, 'got number 199'],
      ['300', 300, 'got number 300'],
      ['a string', '204', 'got string "204"'],
    ])('refuses %s', (_label, optionsSuccessStatus, fragment) => {
      expectOneProblem(fieldProblems({ optionsSuccessStatus }), 'optionsSuccessStatus', '200 to 299', fragment);
    });
  });

  describe('boolean fields', () => {
    it.each([
      'credentials',
      'preflightContinue',
      'allowPrivateNetwork',
      'rejectDisallowedOrigins',
      'dangerouslyAllowInsecureOriginsWithCredentials',
    ])('refuses a non-boolean %s', (field) => {
      expectOneProblem(fieldProblems({ [field]: 'true' }), field, 'must be true or false', 'got string "true"');
      expectOneProblem(fieldProblems({ [field]: 1 }), field, 'must be true or false', 'got number 1');
    });
  });

  it('reports every problem of a policy, in field order', () => {
    const problems = fieldProblems({
      orgin: 'x',
      origin: 'https://a.com/',
      methods: 'TRACE',
      credentials: 'yes',
      maxAge: -5,
    });
    expect(problems.map((p) => p.field)).toEqual(['orgin', 'origin', 'methods', 'credentials', 'maxAge']);
    expect(new Set(problems.map((p) => p.location))).toEqual(new Set([LOCATION]));
  });
});

describe('checkOriginField', () => {
  it('splits the field into specs, RegExps and a predicate', () => {
    const regexp = /^https:\/\/r\.com$/;
    const problems = new ProblemList();
    const checked = checkOriginField(['https://a.com', '*', regexp], 'L', problems);
    expect(checked.specs.map((s) => s.kind)).toEqual(['exact', 'any']);
    expect(checked.regexps).toEqual([regexp]);
    expect(checked.predicate).toBeUndefined();
    expect(problems.items).toEqual([]);

    const predicate = () => true;
    expect(checkOriginField(predicate, 'L', problems).predicate).toBe(predicate);
    expect(checkOriginField(undefined, 'L', problems)).toEqual({ specs: [], regexps: [] });
  });
});

describe('validateMergedPolicy', () => {
  describe('"*" with credentials', () => {
    it('is reported at the level that set credentials when it is the more specific one', () => {
      const problems = mergedProblems(['module options', { origin: '*' }], ['UsersController', { credentials: true }]);
      expect(problems).toHaveLength(1);
      expect(problems[0].location).toBe('UsersController');
      expect(problems[0].field).toBe('origin');
      expect(problems[0].message).toContain('"*" cannot be combined with credentials');
      expect(problems[0].message).toContain('(origin from module options)');
      expect(problems[0].message).toContain('(credentials from UsersController)');
    });

    it('is reported at the level that set origin when it is the more specific one', () => {
      const problems = mergedProblems(
        ['module options', { credentials: true, origin: 'https://a.com' }],
        ['UsersController', {}],
        ['UsersController.list', { origin: ['https://a.com', '*'] }],
      );
      expect(problems).toHaveLength(1);
      expect(problems[0].location).toBe('UsersController.list');
      expect(problems[0].field).toBe('origin');
      expect(problems[0].message).toContain('(origin from UsersController.list)');
      expect(problems[0].message).toContain('(credentials from module options)');
    });

    it('is reported even when insecure origins are allowed', () => {
      const problems = mergedProblems([
        'Route',
        { origin: '*', credentials: true, dangerouslyAllowInsecureOriginsWithCredentials: true },
      ]);
      expect(problems.map((p) => [p.location, p.field])).toEqual([['Route', 'origin']]);
    });

    it('is not a problem without credentials, or with credentials: false', () => {
      expect(mergedProblems(['Route', { origin: '*' }])).toEqual([]);
      expect(mergedProblems(['Route', { origin: '*', credentials: false }])).toEqual([]);
      expect(mergedProblems(['M', { origin: '*', credentials: true }], ['Route', { credentials: false }])).toEqual([]);
    });
  });

  describe.each(['methods', 'allowedHeaders', 'exposedHeaders'] as const)('"*" in %s with credentials', (field) => {
    it('is reported on that field at the more specific level', () => {
      const problems = mergedProblems(
        ['module options', { origin: 'https://a.com', credentials: true }],
        ['UsersController', { [field]: ['x-a', '*'] }],
      );
      expect(problems).toHaveLength(1);
      expect(problems[0].location).toBe('UsersController');
      expect(problems[0].field).toBe(field);
      expect(problems[0].message).toContain('"*" is a literal name');
      expect(problems[0].message).toContain(`(${field} from UsersController)`);
      expect(problems[0].message).toContain('(credentials from module options)');
    });

    it('is reported in a comma-separated string too', () => {
      const problems = mergedProblems(['Route', { origin: 'https://a.com', credentials: true, [field]: 'x-a, *' }]);
      expect(problems.map((p) => [p.location, p.field])).toEqual([['Route', field]]);
    });

    it('is not a problem without credentials', () => {
      expect(mergedProblems(['Route', { origin: 'https://a.com', [field]: '*' }])).toEqual([]);
    });
  });

  describe('insecure origins with credentials', () => {
    it.each([
      ['"null"', 'null'],
      ['a plain-http origin', 'http://app.example.com'],
      ['a plain-http subdomain pattern', 'http://*.example.com'],
      ['a plain-http port pattern', 'http://dev.example.com:*'],
      ['a plain-http private address', 'http://192.168.1.10:8080'],
    ])('refuses %s', (_label, origin) => {
      const problems = mergedProblems(['module options', { credentials: true }], ['Route', { origin }]);
      expect(problems).toHaveLength(1);
      expect(problems[0].location).toBe('Route');
      expect(problems[0].field).toBe('origin');
      expect(problems[0].message).toContain('dangerouslyAllowInsecureOriginsWithCredentials: true');
      expect(problems[0].message).toContain('(origin from Route)');
      expect(problems[0].message).toContain('(credentials from module options)');
    });

    it('names the offending entry', () => {
      const problems = mergedProblems([
        'Route',
        { origin: ['https://a.com', 'http://app.example.com'], credentials: true },
      ]);
      expect(problems).toHaveLength(1);
      expect(problems[0].message).toContain('"http://app.example.com" (plain http)');
    });

    it.each([
      'http://localhost:3000',
      'http://localhost',
      'http://127.0.0.1:5173',
      'http://[::1]:8080',
      'http://app.localhost:3000',
      'http://localhost:*',
      'http://*.localhost',
      'http://*.app.localhost',
      'https://app.example.com',
      'https://*.example.com',
    ])('allows %s', (origin) => {
      expect(mergedProblems(['Route', { origin, credentials: true }])).toEqual([]);
    });

    it('allows every insecure kind with dangerouslyAllowInsecureOriginsWithCredentials: true', () => {
      expect(
        mergedProblems(
          ['module options', { credentials: true, dangerouslyAllowInsecureOriginsWithCredentials: true }],
          ['Route', { origin: ['null', 'http://app.example.com', 'http://*.example.com', 'http://dev.example.com:*'] }],
        ),
      ).toEqual([]);
    });

    it('are fine without credentials', () => {
      expect(mergedProblems(['Route', { origin: ['null', 'http://app.example.com'] }])).toEqual([]);
    });
  });

  describe('allowPrivateNetwork', () => {
    it('refuses "*", at the more specific level', () => {
      const problems = mergedProblems(['module options', { origin: '*' }], ['Route', { allowPrivateNetwork: true }]);
      expect(problems).toHaveLength(1);
      expect(problems[0].location).toBe('Route');
      expect(problems[0].field).toBe('allowPrivateNetwork');
      expect(problems[0].message).toContain('explicit origins, not "*"');
      expect(problems[0].message).toContain('(origin from module options)');
    });

    it('allows explicit origins', () => {
      expect(mergedProblems(['Route', { origin: 'https://a.com', allowPrivateNetwork: true }])).toEqual([]);
    });
  });

  describe('subdomain patterns over a public suffix', () => {
    const refusal = (pattern: string, suffix: string, example: string, where: string) =>
      `"${pattern}" with credentials: "${suffix}" is a public suffix (Public Suffix List), so anyone can register ` +
      `a subdomain under it and read your users' data with their cookies. List the exact origins instead, ` +
      `e.g. "${example}"${where}`;

    it.each([
      ['https://*.github.io', 'github.io', 'https://your-app.github.io'],
      ['https://*.vercel.app', 'vercel.app', 'https://your-app.vercel.app'],
      ['https://*.co.uk', 'co.uk', 'https://your-app.co.uk'],
      ['https://*.s3.amazonaws.com', 's3.amazonaws.com', 'https://your-app.s3.amazonaws.com'],
      ['https://*.github.io:8443', 'github.io', 'https://your-app.github.io:8443'],
      ['https://*.pages.dev:*', 'pages.dev', 'https://your-app.pages.dev'],
    ])(
      '%s is refused with credentials, naming the suffix and the exact origins to list',
      (pattern, suffix, example) => {
        const problems = new ProblemList();
        validateMergedPolicy(merged(['Route', { origin: [pattern], credentials: true }]), 'fallback', problems);
        expect(problems.items).toEqual([
          {
            location: 'Route',
            field: 'origin',
            message: refusal(pattern, suffix, example, ' (origin from Route) (credentials from Route)'),
          },
        ]);
        expect(problems.warnings).toEqual([]);
      },
    );

    it('is reported at the most specific level, naming where each field came from', () => {
      const problems = mergedProblems(
        ['module options', { origin: 'https://*.vercel.app' }],
        ['UsersController', { credentials: true }],
      );
      expect(problems).toEqual([
        {
          location: 'UsersController',
          field: 'origin',
          message: refusal(
            'https://*.vercel.app',
            'vercel.app',
            'https://your-app.vercel.app',
            ' (origin from module options) (credentials from UsersController)',
          ),
        },
      ]);
    });

    it('is a warning without credentials, once per level that set it', () => {
      const problems = new ProblemList();
      for (const route of ['A.list', 'B.list']) {
        validateMergedPolicy(
          merged(['module options', { origin: ['https://app.example.com', 'https://*.github.io'] }], [route, {}]),
          route,
          problems,
        );
      }
      expect(problems.items).toEqual([]);
      expect(problems.warnings).toEqual([
        {
          location: 'module options',
          field: 'origin',
          message:
            '"https://*.github.io": "github.io" is a public suffix (Public Suffix List), so anyone can register a ' +
            'subdomain under it and read these responses. List the exact origins instead, ' +
            'e.g. "https://your-app.github.io" (with credentials this pattern is refused) (origin from module options)',
        },
      ]);
    });

    it.each(['https://*.myapp.github.io', 'https://*.example.co.uk', 'https://*.example.com', 'http://*.localhost'])(
      '%s (a domain under the suffix, or no suffix) is fine with credentials',
      (pattern) => {
        const problems = new ProblemList();
        validateMergedPolicy(merged(['Route', { origin: pattern, credentials: true }]), 'fallback', problems);
        expect(problems.items).toEqual([]);
        expect(problems.warnings).toEqual([]);
      },
    );
  });

  it('uses the fallback location when no level is recorded for a field', () => {
    const problems = new ProblemList();
    validateMergedPolicy({ fields: { origin: '*', credentials: true }, sources: {}, ranks: {} }, 'fallback', problems);
    expect(problems.items.map((p) => p.location)).toEqual(['fallback']);
  });

  it('ignores syntax problems of the origin field (validatePolicyFields reports them)', () => {
    expect(mergedProblems(['Route', { origin: ['https://a.com/', 42 as never], credentials: true }])).toEqual([]);
  });

  it('reports several cross-field problems at once', () => {
    const problems = mergedProblems([
      'Route',
      { origin: ['*', 'null'], credentials: true, methods: '*', allowPrivateNetwork: true },
    ]);
    expect(problems.map((p) => p.field)).toEqual(['origin', 'methods', 'origin', 'allowPrivateNetwork']);
  });
});
