import { describe, expect, it } from '@jest/globals';
import { POLICY_FIELDS, toNameList } from '../../lib/engine/policy-fields.js';
import { mergePolicyLayers } from '../../lib/engine/policy-merger.js';

describe('mergePolicyLayers', () => {
  it('takes each field from the most specific level that sets it: route over controller over module', () => {
    const predicate = () => true;
    const merged = mergePolicyLayers([
      {
        label: 'module options',
        fields: { origin: 'https://a.com', methods: ['GET', 'POST'], maxAge: 600, credentials: true },
      },
      { label: 'UsersController', fields: { methods: ['GET'], allowedHeaders: 'content-type', maxAge: 60 } },
      { label: 'UsersController.create', fields: { maxAge: 5, origin: predicate } },
    ]);
    expect(merged.fields).toEqual({
      origin: predicate,
      methods: ['GET'],
      allowedHeaders: 'content-type',
      credentials: true,
      maxAge: 5,
    });
    expect(merged.sources).toEqual({
      origin: 'UsersController.create',
      methods: 'UsersController',
      allowedHeaders: 'UsersController',
      credentials: 'module options',
      maxAge: 'UsersController.create',
    });
    expect(merged.ranks).toEqual({ origin: 2, methods: 1, allowedHeaders: 1, credentials: 0, maxAge: 2 });
  });

  it('replaces lists whole instead of uniting them', () => {
    const merged = mergePolicyLayers([
      { label: 'module options', fields: { origin: ['https://a.com', 'https://b.com'], exposedHeaders: ['x-a'] } },
      { label: 'Route', fields: { origin: ['https://c.com'], exposedHeaders: 'x-b' } },
    ]);
    expect(merged.fields.origin).toEqual(['https://c.com']);
    expect(merged.fields.exposedHeaders).toBe('x-b');
  });

  it('lets false and 0 override, but not undefined', () => {
    const merged = mergePolicyLayers([
      { label: 'module options', fields: { credentials: true, maxAge: 600, preflightContinue: true } },
      { label: 'Route', fields: { credentials: false, maxAge: 0, preflightContinue: undefined } },
    ]);
    expect(merged.fields).toEqual({ credentials: false, maxAge: 0, preflightContinue: true });
    expect(merged.sources).toEqual({ credentials: 'Route', maxAge: 'Route', preflightContinue: 'module options' });
    expect(merged.ranks).toEqual({ credentials: 1, maxAge: 1, preflightContinue: 0 });
  });

  it('ignores keys that are not policy fields', () => {
    const merged = mergePolicyLayers([
      { label: 'module options', fields: { origin: '*', debug: true, policies: {} } as never },
    ]);
    expect(merged.fields).toEqual({ origin: '*' });
    expect(Object.keys(merged.sources)).toEqual(['origin']);
  });

  it('merges nothing into an empty policy', () => {
    expect(mergePolicyLayers([])).toEqual({ fields: {}, sources: {}, ranks: {} });
    expect(mergePolicyLayers([{ label: 'x', fields: {} }])).toEqual({ fields: {}, sources: {}, ranks: {} });
  });

  it('does not change the layers', () => {
    const moduleFields = { origin: 'https://a.com', maxAge: 600 };
    const routeFields = { maxAge: 5 };
    mergePolicyLayers([
      { label: 'module options', fields: moduleFields },
      { label: 'Route', fields: routeFields },
    ]);
    expect(moduleFields).toEqual({ origin: 'https://a.com', maxAge: 600 });
    expect(routeFields).toEqual({ maxAge: 5 });
  });

  it('records every field it knows', () => {
    const fields = {
      origin: 'https://a.com',
      methods: 'GET',
      allowedHeaders: 'x-a',
      exposedHeaders: 'x-b',
      credentials: true,
      maxAge: 1,
      optionsSuccessStatus: 200,
      preflightContinue: true,
      allowPrivateNetwork: true,
      rejectDisallowedOrigins: true,
      rejectMissingOrigin: true,
      dangerouslyAllowInsecureOriginsWithCredentials: true,
    };
    const merged = mergePolicyLayers([{ label: 'L', fields }]);
    expect(Object.keys(merged.sources).sort()).toEqual([...POLICY_FIELDS].sort());
    expect(merged.fields).toEqual(fields);
  });
});

describe('toNameList', () => {
  it.each([
    [undefined, []],
    ['', []],
    ['GET', ['GET']],
    ['GET, POST ,PUT', ['GET', 'POST', 'PUT']],
    ['a,,b, ', ['a', 'b']],
    [
      ['x-a', ' x-b ', ''],
      ['x-a', 'x-b'],
    ],
  ])('%j is %j', (value, expected) => {
    expect(toNameList(value)).toEqual(expected);
  });
});
