import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { MetadataReader } from '../../lib/policies/metadata-reader.js';

/**
 * The reader skips the prototype chain where it carries no metadata, and
 * remembers that answer for the target it read last. Reads that alternate
 * between targets whose chains do and do not carry metadata (and between a
 * class and a method name on it) must still give what `Reflect.getMetadata()`
 * gives.
 */
describe('MetadataReader', () => {
  class Base {}
  Reflect.defineMetadata('inherited', 'from base', Base);
  Reflect.defineMetadata('args', 'base args', Base, 'run');
  class Child extends Base {}
  Reflect.defineMetadata('own', 'child', Child);
  class Plain {}
  Reflect.defineMetadata('own', 'plain', Plain);
  Reflect.defineMetadata('args', 'plain args', Plain, 'run');
  // Only a method name carries metadata up this chain: the class itself reads bare, the method name does not.
  class ArgsBase {}
  Reflect.defineMetadata('args', 'args base', ArgsBase, 'run');
  class ArgsChild extends ArgsBase {}
  Reflect.defineMetadata('own', 'args child', ArgsChild);
  const handler = function handler() {};
  Reflect.defineMetadata('own', 'handler', handler);

  const reads: Array<[string, object, string?]> = [
    ['own', Child],
    ['inherited', Child],
    ['inherited', Plain],
    ['own', Plain],
    ['args', Plain, 'run'],
    ['args', Child, 'run'],
    ['inherited', Child],
    ['args', Plain],
    ['own', handler],
    ['inherited', handler],
    ['args', Child, 'run'],
    ['args', Child, 'other'],
    ['inherited', Plain],
    ['own', ArgsChild],
    ['args', ArgsChild, 'run'],
    ['args', ArgsChild],
  ];

  it('gives what Reflect.getMetadata gives, in any order of targets', () => {
    const reader = new MetadataReader();
    for (const order of [reads, [...reads].reverse()]) {
      for (const [key, target, property] of order) {
        expect([key, property, reader.read(key, target, property)]).toEqual([
          key,
          property,
          Reflect.getMetadata(key, target, property as string),
        ]);
      }
    }
  });

  it('reads inherited metadata that the chain carries', () => {
    const reader = new MetadataReader();
    expect(reader.read('own', Plain)).toBe('plain');
    expect(reader.read('inherited', Child)).toBe('from base');
    expect(reader.read('args', Child, 'run')).toBe('base args');
    expect(reader.read('inherited', Plain)).toBeUndefined();
    expect(reader.read('own', ArgsChild)).toBe('args child');
    expect(reader.read('args', ArgsChild, 'run')).toBe('args base');
  });
});
