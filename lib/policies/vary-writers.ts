import { HEADERS_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { MetadataReader } from './metadata-reader.js';

/**
 * Whether a handler may write `Vary` after the early layer did: it sets it
 * with `@Header('Vary', …)`, or it takes the response (`@Res()`, `@Next()`)
 * and may set any header. Read from Nest's own metadata, at boot.
 */
export function mayOverwriteVary(
  controller: Function,
  methodName: string,
  handler: Function,
  metadata: MetadataReader,
): boolean {
  const headers = metadata.read(HEADERS_METADATA, handler) as Array<{ name: string }> | undefined;
  if (headers?.some((header) => header.name.toLowerCase() === 'vary')) return true;
  const args = metadata.read(ROUTE_ARGS_METADATA, controller, methodName) as object | undefined;
  if (args === undefined) return false;
  const response = `${RouteParamtypes.RESPONSE}:`;
  const next = `${RouteParamtypes.NEXT}:`;
  return Object.keys(args).some((key) => key.startsWith(response) || key.startsWith(next));
}
