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
  /** Per prototype, per property key (`undefined`: the object itself): whether it and its chain have no metadata. */
  private readonly bareChains = new Map<object, Map<string | undefined, boolean>>();

  /** The last prototype asked about for the object itself (almost always `Function.prototype`), and the answer. */
  private lastParent?: object;
  private lastParentBare = false;

  read(key: string, target: object, property?: string): unknown {
    return this.hasBareChain(target, property)
      ? Reflect.getOwnMetadata(key, target, property as string)
      : Reflect.getMetadata(key, target, property as string);
  }

  private hasBareChain(target: object, property: string | undefined): boolean {
    const parent = Object.getPrototypeOf(target) as object | null;
    if (parent === null) return true;
    if (property === undefined && parent === this.lastParent) return this.lastParentBare;
    const bare = this.bareFor(parent, property);
    if (property === undefined) {
      this.lastParent = parent;
      this.lastParentBare = bare;
    }
    return bare;
  }

  private bareFor(parent: object, property: string | undefined): boolean {
    let byProperty = this.bareChains.get(parent);
    if (byProperty === undefined) this.bareChains.set(parent, (byProperty = new Map()));
    let bare = byProperty.get(property);
    if (bare === undefined) {
      bare = Reflect.getMetadataKeys(parent, property as string).length === 0;
      byProperty.set(property, bare);
    }
    return bare;
  }
}
