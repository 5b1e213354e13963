/**
 * Tells the `cors` package's callback form of an origin function,
 * `(origin, callback) => callback(null, allowed)`, from the form this module
 * calls, `(origin, request) => allowed`. Both declare two parameters, so the
 * arity cannot tell them apart: the source text can. A function is
 * callback-style when its second parameter is named like a callback (`cb`,
 * `callback`, `done`, `next`, `…Callback`) or is called in its body
 * (`second(`, `second.call(`, `second.apply(`). A two-parameter function
 * whose source cannot be read (bound or native) is `'unknown'`: taken as
 * written for this module, with a boot warning; the matcher refuses and
 * warns if it ever returns nothing. Boot time only.
 */
export function originFunctionStyle(fn: Function): 'request' | 'callback' | 'unknown' {
  if (fn.length < 2) return 'request';
  const source = Function.prototype.toString.call(fn);
  if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) return 'unknown';
  const params = parameterList(source);
  if (params === undefined) return 'unknown';
  const second = splitTopLevel(params.text)[1]?.trim();
  if (second === undefined || !/^[A-Za-z_$][\w$]*$/.test(second)) return 'request';
  if (/^_*(?:cb|callback|done|next)$/i.test(second) || /callback$/i.test(second)) return 'callback';
  const body = source.slice(params.end);
  const escaped = second.replace(/\$/g, '\\$');
  const called = new RegExp(`(?<![\\w$.])${escaped}\\s*(?:\\?\\.\\s*)?(?:\\(|\\.call\\s*\\(|\\.apply\\s*\\()`);
  return called.test(body) ? 'callback' : 'request';
}

/** The text between the parentheses of the parameter list, comments removed, and where it ends. */
function parameterList(source: string): { text: string; end: number } | undefined {
  const open = source.indexOf('(');
  if (open === -1) return undefined;
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) {
        const text = source.slice(open + 1, i).replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '');
        return { text, end: i + 1 };
      }
    }
  }
  return undefined;
}

/** Splits at commas outside brackets: `{ a, b }, cb` → `['{ a, b }', ' cb']`. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(text.slice(from));
  return parts;
}
