import { describe, expect, it } from '@jest/globals';
import {
  checkOriginField,
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
    it('reports a typo under its own name and lists the known fields', () => {
      expectOneProblem(fieldProblems({ orgin: 'https://a.com' }), 'orgin', 'is not a CORS policy field', 'origin');
    });

    it('accepts the extra keys of a container', () => {
      expect(fieldProblems({ origin: 'https://a.com', debug: true }, new Set(['debug', 'policies']))).toEqual([]);
    });
  });

  describe('origin', () => {
    it.each([
      ['a number', 42, 'got number 42'],
      ['an object', { url: 'https://a.com' }, 'got an object'],
      ['true', true, 'got boolean true'],
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
