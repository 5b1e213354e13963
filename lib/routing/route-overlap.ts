/**
 * Which route patterns one request could match together with a pattern of a
 * given set: `mayShare()` is `false` only where no request can match both.
 * Read conservatively, for Express and Fastify patterns alike: literals
 * compared without case, one trailing slash ignored, a final parameter
 * taken as possibly empty, methods and hosts not looked at, and a pattern of
 * any shape other than literal segments, whole `:name` parameters and a
 * final wildcard taken as matching anything. A wrong `true` costs a route
 * table entry; a wrong `false` would cost an answer, so there is none.
 */
export class RouteOverlapIndex {
  private readonly root = new OverlapNode();
  /** A pattern of another shape was added: every pattern may share a request with it. */
  private anything = false;

  add(pattern: string): void {
    const length = segmentsEnd(pattern);
    if (length === undefined) {
      this.anything = true;
      return;
    }
    let node = this.root;
    for (let start = 1; start <= length;) {
      const end = segmentEnd(pattern, start, length);
      const segment = classify(pattern.slice(start, end), end === length);
      if (segment === undefined) {
        this.anything = true;
        return;
      }
      if (segment === REST) {
        node.rest = true;
        return;
      }
      node = segment === PARAM ? (node.param ??= new OverlapNode()) : literalChild(node, segment);
      start = end + 1;
    }
    node.end = true;
  }

  /**
   * Whether some request could match `pattern` and a pattern added. Read in
   * place, as far as the index goes: most patterns part from every added
   * one at a literal segment, and nothing of them is split or copied.
   */
  mayShare(pattern: string): boolean {
    if (this.anything) return true;
    const length = segmentsEnd(pattern);
    return length === undefined || visit(this.root, pattern, 1, length);
  }
}

const PARAM: unique symbol = Symbol('param');
const REST: unique symbol = Symbol('rest');
/** A segment as the overlap test reads it: a literal (lower case), a parameter, or a final wildcard. */
type OverlapSegment = string | typeof PARAM | typeof REST;

class OverlapNode {
  literal?: Map<string, OverlapNode>;
  param?: OverlapNode;
  /** A pattern ends here. */
  end = false;
  /** A pattern has a wildcard here: it matches any rest of a path. */
  rest = false;
}

function literalChild(node: OverlapNode, literal: string): OverlapNode {
  const children = (node.literal ??= new Map());
  let child = children.get(literal);
  if (child === undefined) children.set(literal, (child = new OverlapNode()));
  return child;
}

/** Whether a pattern under `node` can match a path that the segments of `pattern` from `start` (up to `length`) match. */
function visit(node: OverlapNode, pattern: string, start: number, length: number): boolean {
  if (node.rest) return true;
  if (start > length) return visitEnd(node);
  const end = segmentEnd(pattern, start, length);
  const next = end + 1;
  const segment = classify(pattern.slice(start, end), end === length);
  if (segment === undefined || segment === REST) return true;
  if (segment !== PARAM) {
    const literal = node.literal?.get(segment);
    if (literal !== undefined && visit(literal, pattern, next, length)) return true;
    return node.param !== undefined && visit(node.param, pattern, next, length);
  }
  // A final parameter may be empty: the pattern may match where an added one ends.
  if (next > length && node.end) return true;
  if (node.param !== undefined && visit(node.param, pattern, next, length)) return true;
  if (node.literal !== undefined) {
    for (const child of node.literal.values()) if (visit(child, pattern, next, length)) return true;
  }
  return false;
}

/** Whether an added pattern ends at `node`, or one more (possibly empty) parameter after it. */
function visitEnd(node: OverlapNode): boolean {
  // A final parameter of the other pattern may be empty (find-my-way): `/a/:id` matches `/a/`.
  return node.rest || node.end || node.param?.end === true || node.param?.rest === true;
}

const SLASH = 0x2f;
const LITERAL = /^[A-Za-z0-9._~-]+$/;
const NAMED_PARAM = /^:[A-Za-z_$][A-Za-z0-9_$]*$/;
const WILDCARD = /^\*(?:[A-Za-z_$][A-Za-z0-9_$]*)?$/;

/**
 * Where a pattern's segments end, one trailing slash left out (segments
 * start at 1, after the leading slash; `''` and `'/'` have none), or
 * `undefined` for a pattern without a leading slash.
 */
function segmentsEnd(pattern: string): number | undefined {
  if (pattern === '' || pattern === '/') return 0;
  if (pattern.charCodeAt(0) !== SLASH) return undefined;
  return pattern.charCodeAt(pattern.length - 1) === SLASH ? pattern.length - 1 : pattern.length;
}

/** Where the segment that begins at `start` ends: the next slash, or `length`. */
function segmentEnd(pattern: string, start: number, length: number): number {
  const slash = pattern.indexOf('/', start);
  return slash === -1 || slash > length ? length : slash;
}

/** A segment's text read for the overlap test; `undefined` for a shape not read here. */
function classify(text: string, last: boolean): OverlapSegment | undefined {
  if (LITERAL.test(text)) return text.toLowerCase();
  if (NAMED_PARAM.test(text)) return PARAM;
  return last && WILDCARD.test(text) ? REST : undefined;
}
