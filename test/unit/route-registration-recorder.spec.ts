import { describe, expect, it } from '@jest/globals';
import { RequestMethod } from '@nestjs/common';
import type { HandlerEntry } from '../../lib/policies/handler-entry.interface.js';
import { RouteRegistrationRecorder } from '../../lib/routing/route-registration-recorder.js';

/**
 * `startDeferred()` + `replay()` (apps with no route table), and `replay()`
 * after `start()` (the report of an app with one), must identify the same
 * handler for every registration, in the same order, as `start()` does while
 * Nest registers: here with two controller classes of one name whose
 * methods no metadata tells apart, registered under two paths each.
 */
function entry(label: string, requestMethod: RequestMethod, controllerPath: string): HandlerEntry {
  const [, methodName] = label.split('.');
  return {
    controller: class {} as never,
    methodName,
    handler: function handler() {},
    label,
    policy: undefined as never,
    equivalentPolicy: undefined as never,
    requestMethod,
    declaresVersion: false,
    controllerPaths: [controllerPath],
    methodPaths: [':id', 'by-name/:name'],
    mayOverwriteVary: false,
  };
}

const ENTRIES = [
  entry('UsersController.one', RequestMethod.GET, 'a/users'),
  entry('UsersController.one', RequestMethod.GET, 'b/users'),
  entry('OrdersController.create', RequestMethod.POST, 'orders'),
];

/** What Nest does: one call of the adapter method per path, each with a handler named `Controller.method`. */
function registerAll(adapter: Record<string, (path: string, handler: Function) => void>): void {
  for (const [method, path, label] of [
    ['get', '/a/users/:id', 'UsersController.one'],
    ['get', '/a/users/by-name/:name', 'UsersController.one'],
    ['get', '/b/users/:id', 'UsersController.one'],
    ['get', '/b/users/by-name/:name', 'UsersController.one'],
    ['post', '/orders', 'OrdersController.create'],
    ['put', '/no-handler-of-this-method', 'Other.put'],
  ]) {
    const handler = () => undefined;
    Object.defineProperty(handler, 'name', { value: label });
    adapter[method](path, handler);
  }
}

function fakeAdapter(): Record<string, (path: string, handler: Function) => void> {
  const adapter: Record<string, (path: string, handler: Function) => void> = {};
  for (const name of RouteRegistrationRecorder.methodNames) adapter[name] = () => undefined;
  adapter.applyVersionFilter = () => undefined;
  return adapter;
}

describe('RouteRegistrationRecorder: identified later, as while registering', () => {
  it('replays every registration to the same handler entry, in order', () => {
    const eager = new RouteRegistrationRecorder();
    const eagerAdapter = fakeAdapter();
    const seenEagerly: Array<[string, string, HandlerEntry]> = [];
    eager.start(eagerAdapter, ENTRIES, ({ method, path, entry }) => seenEagerly.push([method, path, entry!]));
    registerAll(eagerAdapter);
    eager.stop();

    const deferred = new RouteRegistrationRecorder();
    const deferredAdapter = fakeAdapter();
    deferred.startDeferred(deferredAdapter, ENTRIES);
    registerAll(deferredAdapter);
    deferred.stop();
    expect(deferred.routesSeen).toBe(eager.routesSeen);
    const replayed: Array<[string, string, HandlerEntry]> = [];
    deferred.replay(ENTRIES, (method, path, found) => replayed.push([method, path, found]));

    expect(seenEagerly.map(([method, path]) => `${method} ${path}`)).toEqual([
      'get /a/users/:id',
      'get /a/users/by-name/:name',
      'get /b/users/:id',
      'get /b/users/by-name/:name',
      'post /orders',
    ]);
    expect(replayed).toEqual(seenEagerly);
    expect(seenEagerly.map(([, , found]) => ENTRIES.indexOf(found))).toEqual([0, 0, 1, 1, 2]);
    // Once replayed, nothing is kept.
    const again: unknown[] = [];
    deferred.replay(ENTRIES, (...route) => again.push(route));
    expect(again).toEqual([]);
  });

  it('replays what start() identified live to the same entries, even before it stops', () => {
    const recorder = new RouteRegistrationRecorder();
    const adapter = fakeAdapter();
    const seenLive: Array<[string, string, HandlerEntry]> = [];
    recorder.start(adapter, ENTRIES, ({ method, path, entry }) => seenLive.push([method, path, entry!]));
    registerAll(adapter);
    // Still recording: the replay must not start from the counts the live identification left.
    const replayed: Array<[string, string, HandlerEntry]> = [];
    recorder.replay(ENTRIES, (method, path, found) => replayed.push([method, path, found]));
    recorder.stop();

    expect(seenLive.map(([, , found]) => ENTRIES.indexOf(found))).toEqual([0, 0, 1, 1, 2]);
    expect(replayed).toEqual(seenLive);
    const again: unknown[] = [];
    recorder.replay(ENTRIES, (...route) => again.push(route));
    expect(again).toEqual([]);
  });

  it('tells apart methods only the registration order tells apart, live and in a replay before it stops', () => {
    // Two classes of one name, one path shared: which class a `/dup/:id` serves depends on the routes counted before it.
    const first = { ...entry('DupController.one', RequestMethod.GET, 'dup'), methodPaths: [':id', 'extra'] };
    const second = { ...entry('DupController.one', RequestMethod.GET, 'dup'), methodPaths: [':id'] };
    const entries = [first, second];
    const recorder = new RouteRegistrationRecorder();
    const adapter = fakeAdapter();
    const seenLive: HandlerEntry[] = [];
    recorder.start(adapter, entries, ({ entry: found }) => seenLive.push(found!));
    for (const path of ['/dup/:id', '/dup/extra', '/dup/:id']) {
      const handler = () => undefined;
      Object.defineProperty(handler, 'name', { value: 'DupController.one' });
      adapter.get(path, handler);
    }
    const replayed: HandlerEntry[] = [];
    recorder.replay(entries, (_method, _path, found) => replayed.push(found));
    recorder.stop();

    expect(seenLive).toEqual([first, first, second]);
    expect(replayed).toEqual(seenLive);
  });

  it('with needsIdentifying, identifies only the routes of labels that need it, and replays all of them', () => {
    const tuned = entry('TunedController.get', RequestMethod.GET, 'tuned');
    const versioned = { ...entry('VersionedController.get', RequestMethod.GET, 'versioned'), declaresVersion: true };
    const entries = [...ENTRIES, tuned, versioned];
    const recorder = new RouteRegistrationRecorder();
    const adapter = fakeAdapter();
    const heard: string[] = [];
    recorder.start(
      adapter,
      entries,
      ({ method, path, entry: found }) => heard.push(`${method} ${path} ${found ? entries.indexOf(found) : '-'}`),
      { needsIdentifying: (candidate) => candidate === tuned },
    );
    registerAll(adapter);
    const register = (method: string, path: string, name?: string) => {
      const handler = () => undefined;
      if (name !== undefined) Object.defineProperty(handler, 'name', { value: name });
      (adapter as Record<string, (path: string, handler: Function) => void>)[method](path, handler);
    };
    register('get', '/tuned', 'TunedController.get');
    // URI versioning applies no version filter: a versioned handler's routes always serve.
    register('get', '/versioned', 'VersionedController.get');
    // No `Controller.method` name (Nest 11 names no handler): identified.
    register('get', '/a/users/:id');
    const applyVersionFilter = (adapter as Record<string, Function>).applyVersionFilter;
    // Header versioning: the routes of versioned handlers serve only their version, and are identified.
    applyVersionFilter(() => undefined, {}, {});
    register('get', '/versioned', 'VersionedController.get');
    register('get', '/b/users/by-name/:name', 'UsersController.one');
    // With a default version, any route may serve conditionally: every one is identified.
    applyVersionFilter(() => undefined, {}, { defaultVersion: '1' });
    register('get', '/b/users/:id', 'UsersController.one');

    expect(heard).toEqual([
      'get /a/users/:id -',
      'get /a/users/by-name/:name -',
      'get /b/users/:id -',
      'get /b/users/by-name/:name -',
      'post /orders -',
      'get /tuned 3',
      'get /versioned -',
      'get /a/users/:id 0',
      'get /versioned 4',
      'get /b/users/by-name/:name -',
      'get /b/users/:id 1',
    ]);
    expect(recorder.routesSeen).toBe(11);
    const replayed: string[] = [];
    recorder.replay(entries, (method, path, found) => replayed.push(`${method} ${path} ${entries.indexOf(found)}`));
    recorder.stop();
    expect(replayed).toEqual([
      'get /a/users/:id 0',
      'get /a/users/by-name/:name 0',
      'get /b/users/:id 1',
      'get /b/users/by-name/:name 1',
      'post /orders 2',
      'get /tuned 3',
      'get /versioned 4',
      'get /a/users/:id 0',
      'get /versioned 4',
      'get /b/users/by-name/:name 1',
      'get /b/users/:id 1',
    ]);
  });

  it('puts the adapter methods back when it stops', () => {
    const adapter = fakeAdapter();
    const original = adapter.get;
    const recorder = new RouteRegistrationRecorder();
    recorder.startDeferred(adapter, ENTRIES);
    expect(adapter.get).not.toBe(original);
    recorder.stop();
    expect(adapter.get).toBe(original);
  });
});
