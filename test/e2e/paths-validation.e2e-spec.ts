import { describe, expect, it } from '@jest/globals';
import { CorsConfigurationError, CorsModule, CorsPolicyRegistry, type CorsModuleOptions } from '../../lib/index.js';
import { ADAPTERS, bootError as bootWith, createApp, type AdapterName } from './app-factory.js';

const bootError = (adapter: AdapterName, options: CorsModuleOptions) =>
  bootWith(adapter, { imports: [CorsModule.forRoot(options)] });

describe.each(ADAPTERS)('boot validation of paths (%s)', (adapter) => {
  it('stops the app with one CorsConfigurationError naming each paths["…"] entry and its field', async () => {
    const error = await bootError(adapter, {
      origin: 'https://app.example.com',
      policies: { public: { origin: '*' } },
      paths: {
        graphql: 'public',
        '/docs/*/x': false,
        '/assets*': false,
        '/graphql?x=1': false,
        '/a': 'nope',
        '/b': { maxAge: -1, methods: 'TRACE' },
        '/c/*': { origin: 'app.example.com' },
        '/fine/*': 'public',
      },
    });
    expect(error).toBeInstanceOf(CorsConfigurationError);
    expect(error.message).toBe(
      [
        'Invalid CORS configuration (8 problems):',
        '  - module options › paths["graphql"]: must start with "/" (the path the browser requests)',
        '  - module options › paths["/docs/*/x"]: may use "*" only as a last segment ("/docs/*")',
        '  - module options › paths["/assets*"]: may use "*" only as a last segment ("/docs/*")',
        '  - module options › paths["/graphql?x=1"]: must be a path only (no query, fragment or spaces)',
        '  - paths["/a"] › policy: unknown policy "nope"; declared policies: "public"',
        '  - paths["/b"] › methods: "TRACE" is a forbidden method: browsers never send it',
        '  - paths["/b"] › maxAge: must be a non-negative integer number of seconds; got number -1',
        '  - paths["/c/*"] › origin: "app.example.com" has no scheme; write it as "https://app.example.com"',
      ].join('\n'),
    );
  });

  it('refuses two patterns that are the same path once matched case-insensitively and %XX-decoded', async () => {
    const error = await bootError(adapter, {
      paths: { '/docs/*': false, '/Docs/*': false, '/caf%C3%A9': false, '/café': false },
    });
    expect(error).toBeInstanceOf(CorsConfigurationError);
    expect(error.message).toBe(
      [
        'Invalid CORS configuration (2 problems):',
        '  - module options › paths["/Docs/*"]: is the same path as paths["/docs/*"] (paths are matched case-insensitively, %XX decoded)',
        '  - module options › paths["/café"]: is the same path as paths["/caf%C3%A9"] (paths are matched case-insensitively, %XX decoded)',
      ].join('\n'),
    );
  });

  it('refuses paths that is not an object', async () => {
    const error = await bootError(adapter, { paths: ['/graphql'] } as unknown as CorsModuleOptions);
    expect(error).toBeInstanceOf(CorsConfigurationError);
    expect(error.message).toBe(
      'Invalid CORS configuration (1 problem):\n  - module options › paths: must be an object mapping path patterns to policies',
    );
  });

  it('lists every paths row in report(), before the module defaults row, with the level that set each field', async () => {
    const app = await createApp(
      adapter,
      {
        imports: [
          CorsModule.forRoot({
            origin: 'https://app.example.com',
            credentials: true,
            policies: { public: { origin: '*', credentials: false } },
            paths: { '/graphql': { maxAge: 60 }, '/assets/*': 'public', '/docs/*': false },
          }),
        ],
      },
      { logger: false },
    );
    try {
      const rows = app.get(CorsPolicyRegistry).report();
      expect(rows.map(({ method, path, handler, enabled }) => [method, path, handler, enabled])).toEqual([
        ['*', '/graphql', 'paths["/graphql"]', true],
        ['*', '/assets/*', 'paths["/assets/*"]', true],
        ['*', '/docs/*', 'paths["/docs/*"]', false],
        ['*', '(no route)', 'module options', true],
      ]);
      expect(rows[0]).toMatchObject({ origins: ['https://app.example.com'], credentials: true, maxAge: '60' });
      expect(rows[0].sources).toMatchObject({ origin: 'module options', maxAge: 'paths["/graphql"]' });
      expect(rows[1]).toMatchObject({ origins: ['*'], credentials: false });
      expect(rows[1].sources).toMatchObject({ origin: 'policy "public"' });
    } finally {
      await app.close();
    }
  });
});
