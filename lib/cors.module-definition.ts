import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { CorsModuleOptions } from './interfaces/cors-module-options.interface.js';

export const {
  ConfigurableModuleClass: ConfigurableCorsModule,
  MODULE_OPTIONS_TOKEN,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<CorsModuleOptions>({ moduleName: 'Cors' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createCorsOptions')
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

/** Injection token of the resolved `CorsModuleOptions`. */
export const CORS_MODULE_OPTIONS = MODULE_OPTIONS_TOKEN;
