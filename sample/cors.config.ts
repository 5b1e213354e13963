import { registerAs } from '@nestjs/config';
import type { CorsModuleOptions } from '../lib/index.js';

/** Environment variables as the sample reads them (`process.env`, or a plain object in tests). */
export type SampleEnv = Readonly<Record<string, string | undefined>>;

/** The CORS settings the sample takes from the environment (see `sample/.env.example`). */
export interface CorsSettings {
  /** `CORS_ORIGINS`: the origins of "our" front-end. Default: the playground, `http://localhost:${PAGE_PORT}`. */
  readonly appOrigins: string[];
  /** `PARTNER_ORIGINS`: origins the `partners` named policy adds. Default: `http://127.0.0.1:${PAGE_PORT}`. */
  readonly partnerOrigins: string[];
  /** `CORS_CREDENTIALS`: cookies / HTTP auth on cross-origin requests. Default `true`. */
  readonly credentials: boolean;
  /** `CORS_DEBUG`: log why each refused CORS request was refused. Default `true`. */
  readonly debug: boolean;
}

export const DEFAULT_PAGE_PORT = 4200;

function list(value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

function flag(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value.trim() === '') return fallback;
  switch (value.trim().toLowerCase()) {
    case 'true':
    case '1':
    case 'yes':
      return true;
    case 'false':
    case '0':
    case 'no':
      return false;
    default:
      throw new Error(`${name} must be true or false; got ${JSON.stringify(value)}`);
  }
}

/** Reads the CORS settings from environment variables; every one has a default. */
export function readCorsSettings(env: SampleEnv): CorsSettings {
  const pagePort = env.PAGE_PORT?.trim() || String(DEFAULT_PAGE_PORT);
  return {
    appOrigins: list(env.CORS_ORIGINS) ?? [`http://localhost:${pagePort}`],
    partnerOrigins: list(env.PARTNER_ORIGINS) ?? [`http://127.0.0.1:${pagePort}`],
    credentials: flag('CORS_CREDENTIALS', env.CORS_CREDENTIALS, true),
    debug: flag('CORS_DEBUG', env.CORS_DEBUG, true),
  };
}

/**
 * The `cors` configuration namespace of `@nestjs/config`. The factory runs
 * when the app is created, after `ConfigModule` loaded `sample/.env` into
 * `process.env` (real environment variables win over the file).
 */
export const corsConfig = (env: SampleEnv = process.env) => registerAs('cors', () => readCorsSettings(env));

/**
 * The options given to `CorsModule.forRootAsync()`: the module defaults every
 * route without its own `@Cors()` uses (the chat gateway too), the named
 * policies, and `paths` for the GraphQL endpoint no controller serves.
 */
export function corsModuleOptions(settings: CorsSettings): CorsModuleOptions {
  return {
    origin: settings.appOrigins,
    credentials: settings.credentials,
    debug: settings.debug,
    policies: {
      // `@Cors('partners')`: read-only endpoints our partners' sites may call too.
      // Fields replace the module defaults' ones: this list is the whole origin list.
      partners: {
        origin: [...settings.appOrigins, ...settings.partnerOrigins],
        methods: ['GET'],
        credentials: false,
      },
      // `paths['/graphql']`: our front-end only, JSON POST and GET queries, no cookies.
      graphql: {
        origin: settings.appOrigins,
        methods: ['GET', 'POST'],
        allowedHeaders: ['Content-Type', 'Apollo-Require-Preflight'],
        credentials: false,
        maxAge: 600,
      },
    },
    // The GraphQL endpoint (Apollo or Mercurius) is no controller route: its policy is given by path.
    paths: { '/graphql': 'graphql' },
  };
}
