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
    const segments = overlapSegments(pattern);
    if (segments === undefined) {
      this.anything = true;
      return;
    }
    let node = this.root;
    for (const segment of segments) {
      if (segment === REST) {
        node.rest = true;
        return;
      }
      if (segment === PARAM) node = node.param ??= new OverlapNode();
      else {
        const children = (node.literal ??= new Map());
        let child = children.get(segment);
        if (child === undefined) children.set(segment, (child = new OverlapNode()));
        node = child;
      }
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
    if (pattern === '' || pattern === '/') return visitEnd(this.root);
    if (pattern.charCodeAt(0) !== SLASH) return true;
    const length =
      pattern.length > 1 && pattern.charCodeAt(pattern.length - 1) === SLASH ? pattern.length - 1 : pattern.length;
    return visit(this.root, pattern, 1, length);
  }
}

const PARAM: unique symbol = Symbol('param');
const REST: unique symbol = Symbol('rest');
type OverlapSegment = string | typeof PARAM | typeof REST;

class OverlapNode {
  literal?: Map<string, OverlapNode>;
  param?: OverlapNode;
  /** A pattern ends here. */
  end = false;
  /** A pattern has a wildcard here: it matches any rest of a path. */
  rest = false;
}

/** Whether a pattern under `node` can match a path that the segments of `pattern` from `start` (up to `length`) match. */
function visit(node: OverlapNode, pattern: string, start: number, length: number): boolean {
  if (node.rest) return true;
  if (start > length) return visitEnd(node);
  const slash = pattern.indexOf('/', start);
  const end = slash === -1 || slash > length ? length : slash;
  const next = end + 1;
  const text = pattern.slice(start, end);
  if (LITERAL.test(text)) {
    const literal = node.literal?.get(text.toLowerCase());
    if (literal !== undefined && visit(literal, pattern, next, length)) return true;
    return node.param !== undefined && visit(node.param, pattern, next, length);
  }
  if (!NAMED_PARAM.test(text)) return true; // a wildcard, or a shape not read here
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

/** A pattern's segments for the overlap test, or `undefined` for a shape not read here. */
function overlapSegments(pattern: string): OverlapSegment[] | undefined {
  if (pattern === '' || pattern === '/') return [];
  if (pattern.charCodeAt(0) !== 0x2f) return undefined;
  const trimmed = pattern.length > 1 && pattern.endsWith('/') ? pattern.slice(0, -1) : pattern;
  const parts = trimmed.slice(1).split('/');
  const segments: OverlapSegment[] = [];
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index];
    if (LITERAL.test(part)) segments.push(part.toLowerCase());
    else if (NAMED_PARAM.test(part)) segments.push(PARAM);
    else if (WILDCARD.test(part) && index === parts.length - 1) segments.push(REST);
    else return undefined;
  }
  return segments;
}
