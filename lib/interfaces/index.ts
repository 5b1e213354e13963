export * from './cors-module-options.interface.js';
export * from './cors-policy.interface.js';
