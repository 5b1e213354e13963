/**
 * Type-level test, checked by `npm run typecheck` (tsconfig.json includes
 * `test/`); nothing here runs. An object typed as Nest's own `CorsOptions`
 * moves from `app.enableCors()` into `CorsModule.forRoot()`,
 * `forRootAsync()` and `@Cors()` unchanged, while an inline literal keeps
 * this module's stricter types. The `@ts-expect-error` lines fail the
 * typecheck if those types ever loosen.
 *
 * Nest 11 and 12 both ship the type at this path; the `.js` suffix resolves
 * under every `moduleResolution` (Nest 12 maps it in `exports`, Nest 11 has
 * no `exports`), and `import type` keeps it out of the emitted code.
 */
import { Controller, Get, Module } from '@nestjs/common';
import type { CorsOptions } from '@nestjs/common/interfaces/external/cors-options.interface.js';
import { Cors, CorsModule, type CorsModuleOptions, type CorsPolicy } from '../../lib/index.js';

const options: CorsOptions = {
  origin: ['https://app.example.com', /^https:\/\/[a-z]+\.example\.com$/],
  methods: ['GET', 'POST'],
  allowedHeaders: 'Content-Type, Authorization',
  exposedHeaders: ['X-Total-Count'],
  credentials: true,
  maxAge: 600,
  preflightContinue: false,
  optionsSuccessStatus: 204,
};

@Module({ imports: [CorsModule.forRoot(options)] })
export class ForRootWithNestOptions {}

@Module({ imports: [CorsModule.forRootAsync({ useFactory: (): CorsOptions => options })] })
export class ForRootAsyncWithNestOptions {}

@Controller('x')
@Cors(options)
export class DecoratedWithNestOptions {
  @Get()
  @Cors(options)
  read() {
    return {};
  }
}

export const asPolicy: CorsPolicy = options;
export const asModuleOptions: CorsModuleOptions = { ...options, policies: { partners: options } };

// Values with no safe equivalent compile too; the app then refuses to boot, naming the replacement
// (test/unit/policy-validator.spec.ts, "migration from enableCors()").
const reflectAny: CorsOptions = { origin: true };
const callbackStyle: CorsOptions = { origin: (_origin, callback) => callback(null, true) };
export const migrated = [CorsModule.forRoot(reflectAny), CorsModule.forRoot(callbackStyle)];

// An inline literal keeps this module's types: the predicate's parameters are the origin and the request…
export const predicate = CorsModule.forRoot({
  origin: (origin, request) => origin.endsWith('.example.com') && request.headers.host !== undefined,
});
export const asyncPredicate = CorsModule.forRoot({ origin: async (origin) => origin === 'https://app.example.com' });

// …so the callback form written inline is a type error, not only a boot error,
// @ts-expect-error the second argument is the Node request, which is not callable
export const inlineCallback = CorsModule.forRoot({ origin: (_origin, callback) => callback(null, true) });

// and so is a misspelt field in a literal (TypeScript suggests "origin").
// @ts-expect-error unknown field
export const typo = CorsModule.forRoot({ orign: 'https://app.example.com' });
