import type { IncomingMessage } from 'node:http';
import type { HeaderTarget } from '../../lib/engine/cors-decision.js';
import type { CorsPolicy } from '../../lib/interfaces/cors-policy.interface.js';
import { compilePolicy, type CompiledPolicy } from '../../lib/engine/compiled-policy.js';
import { mergePolicyLayers, type MergedPolicy } from '../../lib/engine/policy-merger.js';

/** A Map-backed stand-in for a Node `ServerResponse`: header names are case-insensitive. */
export class FakeHeaders implements HeaderTarget {
  readonly map = new Map<string, number | string | string[]>();

  constructor(initial: Record<string, number | string | string[]> = {}) {
    for (const [name, value] of Object.entries(initial)) {
      this.map.set(name.toLowerCase(), value);
    }
  }

  getHeader(name: string): number | string | string[] | undefined {
    return this.map.get(name.toLowerCase());
  }

  setHeader(name: string, value: string): this {
    this.map.set(name.toLowerCase(), value);
    return this;
  }

  removeHeader(name: string): void {
    this.map.delete(name.toLowerCase());
  }

  /** Every header, names lower-cased, for exact comparisons. */
  toObject(): Record<string, number | string | string[]> {
    return Object.fromEntries(this.map);
  }
}

/** A request object for predicates; the engine never reads it itself. */
export function fakeRequest(headers: Record<string, string> = {}): IncomingMessage {
  return { headers, method: 'GET', url: '/' } as unknown as IncomingMessage;
}

/** Merges one level (or several, least specific first) into a policy. */
export function merged(...levels: Array<[label: string, fields: CorsPolicy]>): MergedPolicy {
  return mergePolicyLayers(levels.map(([label, fields]) => ({ label, fields })));
}

/** Merges and compiles a single-level policy. */
export function compiled(fields: CorsPolicy, label = 'TestController.handler'): CompiledPolicy {
  return compilePolicy(merged([label, fields]), label);
}
