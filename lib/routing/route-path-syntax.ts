import { parse, type Token } from 'path-to-regexp';

/**
 * Turns a route path as Express 5 reads it (path-to-regexp 8: `:param`,
 * `*wildcard`, `{optional}` groups) into the find-my-way paths that match the
 * same requests: one path per combination of optional groups. A wildcard ends
 * the path, as find-my-way requires; text after it is dropped (the path then
 * matches a little more than the route, never less).
 */
export function expressPathToRadixPaths(path: string): string[] {
  let tokens: Token[];
  try {
    tokens = parse(path).tokens;
  } catch {
    return [];
  }
  return [...new Set(expand(tokens).map((variant) => variant || '/'))];
}

function expand(tokens: readonly Token[]): string[] {
  let variants = [''];
  for (const token of tokens) {
    if (variants.every((variant) => variant.endsWith('*'))) {
      break;
    }
    let pieces: string[];
    switch (token.type) {
      case 'text':
        pieces = [token.value.replace(/:/g, '::')];
        break;
      case 'param':
        pieces = [`:${token.name}`];
        break;
      case 'wildcard':
        pieces = ['*'];
        break;
      case 'group':
        pieces = ['', ...expand(token.tokens)];
        break;
    }
    variants = variants.flatMap((variant) =>
      variant.endsWith('*') ? [variant] : pieces.map((piece) => variant + piece),
    );
  }
  return variants;
}
