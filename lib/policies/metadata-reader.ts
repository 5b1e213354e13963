/**
 * `Reflect.getMetadata()` for the classes and methods read at boot. Where
 * the target's prototype chain carries no metadata (a method's chain is a
 * built-in function prototype; so is a class's that extends nothing), the
 * target's own metadata is all there is: reading only that gives the same
 * answer without walking the chain, where reflect-metadata looks every
 * missing key up again at each level (six reads per handler in a large app).
 * Any other chain is read as Nest reads it. One reader per boot: what it
 * learns about prototypes is not kept.
 */
export class MetadataReader {
  /** Per prototype: whether it and its chain carry no metadata of their own (the object itself, no property key). */
  private readonly bareObjects = new Map<object, boolean>();
  /** The same per prototype and property key (`ROUTE_ARGS_METADATA` is kept per method name on the class). */
  private readonly bareProperties = new Map<object, Map<string, boolean>>();
  /** The target of the last read, and what its chain was: a handler's keys are read one after another. */
  private lastTarget?: object;
  private lastProperty?: string;
  private lastBare = false;

  read(key: string, target: object, property?: string): unknown {
    if (target !== this.lastTarget || property !== this.lastProperty) {
      this.lastBare = this.hasBareChain(target, property);
      this.lastTarget = target;
      this.lastProperty = property;
    }
    return this.lastBare
      ? Reflect.getOwnMetadata(key, target, property as string)
      : Reflect.getMetadata(key, target, property as string);
  }

  private hasBareChain(target: object, property: string | undefined): boolean {
    const parent = Object.getPrototypeOf(target) as object | null;
    if (parent === null) return true;
    let known = property === undefined ? this.bareObjects.get(parent) : this.bareProperties.get(parent)?.get(property);
    if (known !== undefined) return known;
    known = Reflect.getMetadataKeys(parent, property as string).length === 0;
    if (property === undefined) this.bareObjects.set(parent, known);
    else {
      let byProperty = this.bareProperties.get(parent);
      if (byProperty === undefined) this.bareProperties.set(parent, (byProperty = new Map()));
      byProperty.set(property, known);
    }
    return known;
  }
}
