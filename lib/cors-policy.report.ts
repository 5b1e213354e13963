import type { CompiledPolicy } from './engine/compiled-policy.js';
import { POLICY_FIELDS, type PolicyField } from './engine/policy-fields.js';

/** The effective CORS policy of one route, as `CorsPolicyRegistry.report()` returns it. */
export interface CorsRouteReport {
  /** HTTP method as registered (`ALL` for `@All()`). */
  readonly method: string;
  /** Full path as Nest registered it (global prefix, version, module path included). */
  readonly path: string;
  /** `Controller.method`. */
  readonly handler: string;
  readonly enabled: boolean;
  readonly origins: readonly string[];
  readonly credentials: boolean;
  readonly methods: string;
  /** Configured allowed headers, or `'(any requested)'`. */
  readonly allowedHeaders: string;
  readonly exposedHeaders: string;
  readonly maxAge: string;
  /** Which level set each field: `module options`, `policy "x"`, `Controller`, `Controller.method`. */
  readonly sources: Readonly<Partial<Record<PolicyField, string>>>;
}

export function reportRoute(method: string, path: string, handler: string, policy: CompiledPolicy): CorsRouteReport {
  return {
    method,
    path,
    handler,
    enabled: policy.enabled,
    origins: policy.enabled ? policy.origins.describe() : [],
    credentials: policy.credentials,
    methods: policy.allowMethodsValue,
    allowedHeaders: policy.enabled ? (policy.allowHeadersValue ?? '(any requested)') : '',
    exposedHeaders: policy.exposeHeadersValue ?? '',
    maxAge: policy.maxAgeValue ?? '',
    sources: policy.merged.sources,
  };
}

/** The report as an aligned text table, one route per line, for the boot log or a review. */
export function formatPolicyReport(rows: readonly CorsRouteReport[]): string {
  const header = [
    'METHOD',
    'PATH',
    'HANDLER',
    'ORIGINS',
    'CREDENTIALS',
    'METHODS',
    'HEADERS',
    'EXPOSED',
    'MAX-AGE',
    'SET BY',
  ];
  const lines = rows.map((row) => [
    row.method,
    row.path,
    row.handler,
    row.enabled ? row.origins.join(' ') : '(CORS off)',
    row.enabled ? String(row.credentials) : '',
    row.methods,
    row.allowedHeaders,
    row.exposedHeaders,
    row.maxAge,
    POLICY_FIELDS.filter((field) => row.sources[field] !== undefined)
      .map((field) => `${field}←${row.sources[field]}`)
      .join(' '),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i].length)));
  return [header, ...lines]
    .map((line) =>
      line
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
