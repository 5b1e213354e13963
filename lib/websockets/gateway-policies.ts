import { Logger, type INestApplicationContext } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { CorsConfigurationError } from '../cors-configuration.error.js';
import { CorsPolicyRegistry } from '../cors-policy.registry.js';
import type { CompiledPolicy } from '../engine/compiled-policy.js';
import type { PolicyProblem } from '../engine/policy-validator.js';
import type { CorsGatewayOptions } from './cors-gateway-options.interface.js';
import { isGatewayClass, readGatewayDeclaration, type GatewayDeclaration } from './gateway-metadata.js';
import type { UpgradeRules } from './upgrade-check.js';

/** The transport an adapter serves, for paths and messages. */
export type GatewayTransport = 'socket.io' | 'ws';

/** A server Nest creates for gateways: one per port and path, shared by every gateway declaring both. */
interface GatewayServer {
  readonly description: string;
  readonly gateways: GatewayDeclaration[];
}

/** The path a gateway's server answers on, written the way the adapter matches it. */
export function serverPath(transport: GatewayTransport, path: unknown): string {
  const raw = typeof path === 'string' ? path : transport === 'socket.io' ? '/socket.io' : '/';
  return `/${raw.replace(/^\/+|\/+$/g, '')}`;
}

function serverKey(port: number, path: string): string {
  return `${port} ${path}`;
}

/**
 * The CORS side of a WebSocket adapter: claims the app's gateway classes in
 * the policy registry (so that their `@Cors()` is validated and compiled like
 * a controller's), and gives each gateway server its rules, checked once, on
 * the first server Nest creates in `app.init()`.
 */
export class GatewayPolicies {
  private readonly registry: CorsPolicyRegistry;
  private readonly logger = new Logger('CorsModule');
  private servers?: Map<string, UpgradeRules>;

  constructor(
    private readonly app: INestApplicationContext,
    private readonly transport: GatewayTransport,
    private readonly adapterName: string,
    private readonly options: CorsGatewayOptions,
  ) {
    this.registry = findRegistry(app, adapterName);
    this.registry.handleGateways(isGatewayClass);
  }

  /** Logs refusals when the module's `debug` option is on. */
  get debugLog(): ((message: string) => void) | undefined {
    return this.registry.debug ? (message) => this.logger.debug(message) : undefined;
  }

  /**
   * The rules of the server at `port` and `path`. The first call validates
   * every gateway of the app (throws a {@link CorsConfigurationError}): their
   * policies, the socket.io `cors` option, and that gateways sharing a server
   * share a policy.
   */
  rulesFor(port: number, path: unknown): UpgradeRules {
    this.servers ??= this.compileServers();
    const rules = this.servers.get(serverKey(port, serverPath(this.transport, path)));
    if (rules) return rules;
    // A server no gateway declares (the adapter called by hand): the module defaults.
    this.registry.compile();
    return this.rulesOf(this.registry.defaults, `the ${this.transport} server on port ${port}`);
  }

  private compileServers(): Map<string, UpgradeRules> {
    const problems: PolicyProblem[] = [];
    const servers = new Map<string, GatewayServer>();
    for (const declaration of this.gatewayDeclarations()) {
      const name = declaration.target.name;
      const ownCors = declaration.options.cors;
      if (this.transport === 'socket.io' && ownCors !== undefined && ownCors !== false) {
        problems.push({
          location: name,
          field: '@WebSocketGateway({ cors })',
          message:
            `socket.io would answer CORS itself, beside ${this.adapterName}; remove the cors option: ` +
            `the gateway's policy is its @Cors() (or the CorsModule defaults)`,
        });
      }
      const path = serverPath(this.transport, declaration.options.path);
      const key = serverKey(declaration.port, path);
      let server = servers.get(key);
      if (!server) {
        const where = declaration.port === 0 ? "the app's HTTP server" : `port ${declaration.port}`;
        server = { description: `the ${this.transport} server on ${where}, path ${path}`, gateways: [] };
        servers.set(key, server);
      }
      server.gateways.push(declaration);
    }
    // Compiles every policy (throws on an invalid @Cors with class and field).
    const policies = new Map<Function, CompiledPolicy>();
    for (const server of servers.values()) {
      for (const { target } of server.gateways) policies.set(target, this.registry.policyForClass(target));
    }
    const rules = new Map<string, UpgradeRules>();
    for (const [key, server] of servers) {
      const names = server.gateways.map(({ target }) => target.name);
      const first = policies.get(server.gateways[0].target)!;
      const differing = new Set<string>();
      for (const { target } of server.gateways.slice(1)) {
        for (const field of differingFields(first, policies.get(target)!)) differing.add(field);
      }
      if (differing.size > 0) {
        problems.push({
          location: names.join(', '),
          field: [...differing].join(', '),
          message:
            `these gateways share ${server.description}, whose HTTP answers and upgrade check are one for all, ` +
            `but their CORS policies differ. Give them the same @Cors(), or different ports or paths`,
        });
      }
      rules.set(key, this.rulesOf(first, names.join(', ')));
    }
    if (problems.length > 0) {
      throw new CorsConfigurationError(problems);
    }
    return rules;
  }

  private rulesOf(policy: CompiledPolicy, gateways: string): UpgradeRules {
    return upgradeRulesOf(policy, this.options, gateways);
  }

  /** The app's gateway classes, once each, as Nest connects them (class providers with `@WebSocketGateway()`). */
  private gatewayDeclarations(): GatewayDeclaration[] {
    const discovery = this.app.get(DiscoveryService, { strict: false });
    const seen = new Set<Function>();
    const declarations: GatewayDeclaration[] = [];
    for (const wrapper of discovery.getProviders()) {
      const target = wrapper.metatype;
      if (wrapper.isNotMetatype || typeof target !== 'function' || seen.has(target) || !isGatewayClass(target)) {
        continue;
      }
      seen.add(target);
      declarations.push(readGatewayDeclaration(target));
    }
    return declarations;
  }
}

/**
 * The upgrade rules of a server whose gateways have `policy`: a
 * `rejectMissingOrigin` the policy sets (on the gateway's `@Cors()`, a named
 * policy or the module defaults) wins over the adapter's option.
 */
export function upgradeRulesOf(policy: CompiledPolicy, options: CorsGatewayOptions, gateways: string): UpgradeRules {
  return Object.freeze({
    policy,
    rejectMissingOrigin: gatewayField(policy, 'rejectMissingOrigin') ?? options.rejectMissingOrigin === true,
    allowSameOrigin: options.allowSameOrigin !== false,
    gateways,
  });
}

function findRegistry(app: INestApplicationContext, adapterName: string): CorsPolicyRegistry {
  try {
    return app.get(CorsPolicyRegistry, { strict: false });
  } catch {
    throw new Error(
      `${adapterName} takes each gateway's policy from CorsModule: import CorsModule.forRoot() or ` +
        'forRootAsync() in the root module of this application.',
    );
  }
}

/**
 * A gateway-only policy field. Read from the merged policy, so that a field
 * set in `@Cors({...})` on the gateway (or in the module defaults, or a named
 * policy) takes precedence over the adapter's option.
 */
function gatewayField(policy: CompiledPolicy, field: 'rejectMissingOrigin'): boolean | undefined {
  const value = (policy.merged.fields as Record<string, unknown>)[field];
  return typeof value === 'boolean' ? value : undefined;
}

const functionIds = new WeakMap<Function, number>();
let lastFunctionId = 0;

/** A value of the `origin` field, written so that equal settings compare equal (functions by identity). */
function originKey(origin: unknown): string {
  const entries = Array.isArray(origin) ? origin : [origin];
  return entries
    .map((entry) => {
      if (typeof entry === 'function') {
        if (!functionIds.has(entry)) functionIds.set(entry, ++lastFunctionId);
        return `function#${functionIds.get(entry)}`;
      }
      return entry instanceof RegExp ? `regexp:${String(entry)}` : `string:${String(entry)}`;
    })
    .join('\n');
}

/** What a gateway server answers from a policy, field by field. */
function answerOf(policy: CompiledPolicy): Record<string, unknown> {
  const always = { rejectMissingOrigin: gatewayField(policy, 'rejectMissingOrigin') };
  if (!policy.enabled) return { enabled: false, ...always };
  return {
    enabled: true,
    origin: originKey(policy.merged.fields.origin),
    credentials: policy.credentials,
    methods: policy.allowMethodsValue,
    allowedHeaders: policy.allowHeadersValue,
    exposedHeaders: policy.exposeHeadersValue,
    maxAge: policy.maxAgeValue,
    optionsSuccessStatus: policy.optionsSuccessStatus,
    allowPrivateNetwork: policy.allowPrivateNetwork,
    rejectDisallowedOrigins: policy.rejectDisallowedOrigins,
    ...always,
  };
}

/** The fields in which two policies give different answers (`@Cors` when one of them is off). */
function differingFields(a: CompiledPolicy, b: CompiledPolicy): string[] {
  const left = answerOf(a);
  const right = answerOf(b);
  if (left.enabled !== right.enabled) return ['@Cors'];
  return Object.keys(left).filter((field) => left[field] !== right[field]);
}
