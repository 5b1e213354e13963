/**
 * Answers computed from request header values, remembered for values that
 * repeat: a page's browser sends the same `Access-Control-Request-Headers`
 * on every preflight it makes, and checking that list name by name costs
 * several times a map lookup.
 *
 * Bounded, because the keys come from clients: values longer than
 * `maxKeyLength` are computed every time and never kept, and a memo that
 * reaches `maxEntries` keys is emptied before the next one goes in. A client
 * that sends a new value on every request therefore costs one map write per
 * request and at most `maxEntries` short keys of memory.
 */
export class BoundedMemo<V> {
  private readonly answers = new Map<string, V>();

  constructor(
    private readonly maxEntries: number,
    private readonly maxKeyLength: number,
  ) {}

  /** The answer for `key`: remembered, or `compute(key, context)` (a module-level function: no closure per call). */
  get<C>(key: string, context: C, compute: (key: string, context: C) => V): V {
    // Long keys are not even looked up: hashing one would cost what the memo saves.
    if (key.length > this.maxKeyLength) return compute(key, context);
    const known = this.answers.get(key);
    if (known !== undefined) return known;
    const answer = compute(key, context);
    if (this.answers.size >= this.maxEntries) this.answers.clear();
    this.answers.set(key, answer);
    return answer;
  }

  /** How many answers are kept (tests). */
  get size(): number {
    return this.answers.size;
  }
}
