/**
 * Child process of soak.mjs: nestjs-cors on one adapter, with every kind of
 * policy the soak traffic exercises. Started with --expose-gc, so that the
 * parent can ask for the heap after a full collection.
 * Usage: node --expose-gc soak-server.mjs <express|fastify>
 */
import 'reflect-metadata';
import * as common from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { libraryUrl } from './library.mjs';

const { Controller, Module } = common;
const { CorsModule, Cors } = await import(libraryUrl('index.js'));
const adapterName = process.argv[2];

/** A tenant table, as a database lookup would answer it. */
async function tenantAllows(origin) {
  await new Promise((resolve) => setImmediate(resolve));
  return origin.endsWith('.tenants.example.com');
}

function controller(path, policy, verbs = ['Get', 'Put']) {
  const name = `${path.replace(/\W/g, '')}Controller`;
  let type = { [name]: class {} }[name];
  for (const verb of verbs) {
    const method = verb.toLowerCase();
    Object.defineProperty(type.prototype, method, {
      value: () => ({ ok: true, path }),
      writable: true,
      configurable: true,
    });
    const descriptor = Object.getOwnPropertyDescriptor(type.prototype, method);
    Object.defineProperty(
      type.prototype,
      method,
      Reflect.decorate([common[verb](':id')], type.prototype, method, descriptor) ?? descriptor,
    );
  }
  return Reflect.decorate([Controller(path), Cors(policy)], type);
}

const controllers = [
  controller('exact', { origin: ['https://app.example.com', 'https://admin.example.com'], credentials: true }),
  controller('pattern', { origin: ['https://*.example.com', /^https:\/\/[a-z]+\.partner\.net$/] }),
  controller('tenant', { origin: tenantAllows, credentials: true }),
  controller('public', { origin: '*', credentials: false }),
  controller('off', false),
];
const AppModule = Reflect.decorate(
  [
    Module({
      imports: [CorsModule.forRoot({ origin: 'https://app.example.com', asyncOrigin: { cacheSize: 500 } })],
      controllers,
    }),
  ],
  class SoakModule {},
);
const adapter =
  adapterName === 'express'
    ? new (await import('@nestjs/platform-express')).ExpressAdapter()
    : new (await import('@nestjs/platform-fastify')).FastifyAdapter();
const app = await NestFactory.create(AppModule, adapter, { logger: ['error'] });
await app.listen(0, '127.0.0.1');

process.on('message', (message) => {
  if (message?.type === 'heap') {
    globalThis.gc();
    globalThis.gc();
    process.send({ type: 'heap', heapUsed: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss });
  } else if (message?.type === 'stop') {
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready', port: app.getHttpServer().address().port });
