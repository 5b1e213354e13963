export { CorsModule } from './cors.module.js';
export { Cors } from './decorators/cors.decorator.js';
export { CorsPolicyRegistry } from './cors-policy.registry.js';
export { CorsOriginCache } from './cors-origin-cache.service.js';
export type { CorsRouteReport } from './cors-policy.report.js';
export { CorsConfigurationError } from './cors-configuration.error.js';
export type { PolicyProblem } from './engine/policy-validator.js';
export { listExactOrigins } from './cors-origins.util.js';
export * from './interfaces/index.js';
