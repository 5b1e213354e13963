import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, ConfigService, type ConfigModuleOptions } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { CorsModule } from '../lib/index.js';
import { DemoAuthGuard } from './auth/demo-auth.guard.js';
import { AccountController } from './controllers/account.controller.js';
import { ArticlesController } from './controllers/articles.controller.js';
import { DocumentsController } from './controllers/documents.controller.js';
import { DraftsController } from './controllers/drafts.controller.js';
import { InternalController } from './controllers/internal.controller.js';
import { NewsletterController, SubscriberCount } from './controllers/newsletter.controller.js';
import { OpsController } from './controllers/ops.controller.js';
import { PartnersController } from './controllers/partners.controller.js';
import { PublicController } from './controllers/public.controller.js';
import { ReportsController } from './controllers/reports.controller.js';
import { StatsController } from './controllers/stats.controller.js';
import { corsConfig, corsModuleOptions, type CorsSettings, type SampleEnv } from './cors.config.js';
import { PreflightCounter } from './diagnostics/preflight-counter.js';
import { RefusalLog } from './diagnostics/refusal-log.js';
import { ChatGateway } from './realtime/chat.gateway.js';
import { HeadlinesResolver } from './realtime/headlines.resolver.js';

export interface AppModuleOptions {
  /**
   * Where the configuration comes from. A path: that `.env` file, then
   * `process.env` (which wins). An object: those variables only (tests).
   */
  readonly config: { envFile: string } | { env: SampleEnv };
  /** Shared with `main.ts` / the tests, which install and read them. */
  readonly preflights: PreflightCounter;
  readonly refusals: RefusalLog;
  /** `GraphQLModule` for the adapter (Apollo or Mercurius), see `realtime/graphql.module.ts`. */
  readonly graphql: DynamicModule;
}

function configOptions(config: AppModuleOptions['config']): ConfigModuleOptions {
  if ('env' in config) {
    return { isGlobal: true, ignoreEnvFile: true, load: [corsConfig(config.env)] };
  }
  // expandVariables: `.env` may say CORS_ORIGINS=http://localhost:${PAGE_PORT:-4200}.
  return { isGlobal: true, envFilePath: config.envFile, expandVariables: true, load: [corsConfig(process.env)] };
}

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(configOptions(options.config)),
        // The CORS configuration comes from ConfigService, i.e. from the environment.
        CorsModule.forRootAsync({
          imports: [ConfigModule],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => corsModuleOptions(config.getOrThrow<CorsSettings>('cors')),
        }),
        options.graphql,
      ],
      controllers: [
        ArticlesController,
        DocumentsController,
        ReportsController,
        AccountController,
        InternalController,
        PartnersController,
        OpsController,
        PublicController,
        DraftsController,
        NewsletterController,
        StatsController,
      ],
      providers: [
        { provide: APP_GUARD, useClass: DemoAuthGuard },
        { provide: PreflightCounter, useValue: options.preflights },
        { provide: RefusalLog, useValue: options.refusals },
        SubscriberCount,
        ChatGateway,
        HeadlinesResolver,
      ],
    };
  }
}
