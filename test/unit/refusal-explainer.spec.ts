import { describe, expect, it } from '@jest/globals';
import { compilePolicy, disabledPolicy } from '../../lib/engine/compiled-policy.js';
import { checkPreflightRequest, REFUSED_DISABLED, REFUSED_ORIGIN } from '../../lib/engine/cors-decision.js';
import { explainRefusal } from '../../lib/engine/refusal-explainer.js';
import { merged } from './helpers.js';

const LABEL = 'UsersController.create';
const policy = compilePolicy(
  merged(
    ['module options', { origin: ['https://app.example.com', 'https://*.example.org'] }],
    ['UsersController', { allowedHeaders: ['Content-Type', 'X-Api-Key'] }],
    [LABEL, { methods: ['GET', 'POST'] }],
  ),
  LABEL,
);

describe('explainRefusal', () => {
  it('explains a refused origin: request, policy, where origin was declared, and what to add', () => {
    expect(explainRefusal('request', 'GET', '/users', 'https://evil.com', policy, REFUSED_ORIGIN)).toBe(
      'CORS request GET /users from "https://evil.com" refused by UsersController.create: ' +
        'origin not allowed (origin from module options: https://app.example.com, https://*.example.org). ' +
        'To allow it, add "https://evil.com" to origin at module options or on the handler.',
    );
  });

  it('explains a refused method with the list that refused it', () => {
    const refusal = checkPreflightRequest(policy, 'DELETE', undefined, false);
    expect(refusal).toEqual({ check: 'method', detail: 'DELETE' });
    expect(explainRefusal('preflight', 'DELETE', '/users/1', 'https://app.example.com', policy, refusal!)).toBe(
      'CORS preflight DELETE /users/1 from "https://app.example.com" refused by UsersController.create: ' +
        'method DELETE not allowed (methods from UsersController.create: GET, POST). ' +
        'To allow it, add "DELETE" to methods.',
    );
  });

  it('explains a refused method under the default methods', () => {
    const defaults = compilePolicy(merged(['module options', { origin: 'https://app.example.com' }]), 'Ctrl.get');
    const line = explainRefusal('preflight', 'OPTIONS', '/x', 'https://app.example.com', defaults, {
      check: 'method',
      detail: 'PROPFIND',
    });
    expect(line).toBe(
      'CORS preflight OPTIONS /x from "https://app.example.com" refused by Ctrl.get: ' +
        'method PROPFIND not allowed (methods from no level (default): GET, HEAD, PUT, PATCH, POST, DELETE). ' +
        'To allow it, add "PROPFIND" to methods.',
    );
  });

  it('explains a refused request header, naming the level that declared allowedHeaders', () => {
    const refusal = checkPreflightRequest(policy, 'POST', 'content-type, x-secret', false);
    expect(refusal).toEqual({ check: 'headers', detail: 'x-secret' });
    expect(explainRefusal('preflight', 'POST', '/users', 'https://app.example.com', policy, refusal!)).toBe(
      'CORS preflight POST /users from "https://app.example.com" refused by UsersController.create: ' +
        'request header x-secret not allowed (allowedHeaders from UsersController: Content-Type, X-Api-Key). ' +
        'To allow it, add "x-secret" to allowedHeaders.',
    );
  });

  it('explains a refused private network request', () => {
    const refusal = checkPreflightRequest(policy, 'GET', undefined, true);
    expect(explainRefusal('preflight', 'GET', '/users', 'https://app.example.com', policy, refusal!)).toBe(
      'CORS preflight GET /users from "https://app.example.com" refused by UsersController.create: ' +
        'private network access requested but not allowed. To allow it, set allowPrivateNetwork: true.',
    );
  });

  it('explains a disabled policy', () => {
    const line = explainRefusal(
      'request',
      'GET',
      '/health',
      'https://app.example.com',
      disabledPolicy('HealthController.check'),
      REFUSED_DISABLED,
    );
    expect(line).toBe(
      'CORS request GET /health from "https://app.example.com" refused by HealthController.check: ' +
        'CORS is off for this handler (@Cors(false), or no origin configured). ' +
        'Use @Cors({...}) on the handler to turn it on.',
    );
  });

  it('quotes the origin, so control characters cannot forge a log line', () => {
    const line = explainRefusal('request', 'GET', '/users', 'https://a.com\nINFO forged', policy, REFUSED_ORIGIN);
    expect(line).not.toContain('\n');
    expect(line).toContain('"https://a.com\\nINFO forged"');
  });

  it.each([
    ['malformed', 'a b'],
    ['too-long', ','.repeat(16 * 1024)],
  ])('does not advise adding "(%s)" to allowedHeaders: no policy change allows such a list', (reason, headers) => {
    const refusal = checkPreflightRequest(policy, 'POST', headers, false);
    expect(refusal).toEqual({ check: 'headers', detail: `(${reason})` });
    const line = explainRefusal('preflight', 'POST', '/users', 'https://app.example.com', policy, refusal!);
    expect(line).toContain('refused by UsersController.create');
    expect(line).toContain(reason);
    expect(line).not.toContain(`add "(${reason})"`);
  });

  it('does not advise adding "(malformed)" to methods', () => {
    const refusal = checkPreflightRequest(policy, 'GE T', undefined, false);
    expect(refusal).toEqual({ check: 'method', detail: '(malformed)' });
    const line = explainRefusal('preflight', 'OPTIONS', '/users', 'https://app.example.com', policy, refusal!);
    expect(line).toContain('malformed');
    expect(line).not.toContain('add "(malformed)"');
  });
});
