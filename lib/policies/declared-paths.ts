import type { HandlerEntry } from './handler-entry.interface.js';

/** A `@Controller()` or method decorator path value as a list (`['']` where none is declared). */
export function toPathList(value: unknown): string[] {
  if (value === undefined) return [''];
  return (Array.isArray(value) ? value : [value]).map((each) => String(each));
}

/** Every `controllerPath/methodPath` combination of a handler: each path Nest registers for it ends with one. */
export function pathSuffixesOf(entry: HandlerEntry): string[] {
  const methodPaths = toPathList(entry.methodPaths);
  return entry.controllerPaths.flatMap((controllerPath) =>
    methodPaths.map((methodPath) => joinPaths(controllerPath, methodPath)),
  );
}

/** `users` + `:id` → `/users/:id`, as Nest joins them (leading slash, no trailing one). */
function joinPaths(...parts: string[]): string {
  const joined = parts
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .filter((part) => part !== '')
    .join('/');
  return joined === '' ? '' : `/${joined}`;
}
