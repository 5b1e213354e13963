import { MAX_REQUEST_HEADER_NAMES, MAX_REQUEST_HEADERS_LENGTH } from '../cors.constants.js';
import type { CompiledPolicy } from './compiled-policy.js';
import type { CorsRefusal } from './cors-decision.js';

/**
 * One line that says why a CORS request was refused and what would allow it:
 * the request, the policy and where each relevant field was declared.
 */
export function explainRefusal(
  kind: 'preflight' | 'request',
  method: string,
  url: string,
  origin: string,
  policy: CompiledPolicy,
  refusal: CorsRefusal,
  /** The handler (or `paths` entry) whose policy it is, when it only inherits the module defaults. */
  servedBy: string = policy.label,
): string {
  const subject = `CORS ${kind} ${method} ${url} from ${JSON.stringify(origin)} refused by ${servedBy}`;
  const where = (field: keyof CompiledPolicy['merged']['sources']) =>
    policy.merged.sources[field] ?? 'no level (default)';
  switch (refusal.check) {
    case 'disabled':
      return `${subject}: CORS is off for this handler (@Cors(false), or no origin configured). Use @Cors({...}) on the handler to turn it on.`;
    case 'origin':
      return (
        `${subject}: origin not allowed (origin from ${where('origin')}: ${policy.origins.describe().join(', ') || 'none'}). ` +
        `To allow it, add ${JSON.stringify(origin)} to origin at ${where('origin')} or on the handler.`
      );
    case 'method':
      if (refusal.detail?.startsWith('(')) {
        return `${subject}: Access-Control-Request-Method is malformed (not a method name); no policy can allow it.`;
      }
      return (
        `${subject}: method ${refusal.detail} not allowed (methods from ${where('methods')}: ${policy.allowMethodsValue}). ` +
        `To allow it, add "${refusal.detail}" to methods.`
      );
    case 'headers':
      if (refusal.detail === '(too-long)') {
        return `${subject}: Access-Control-Request-Headers is too-long (over ${MAX_REQUEST_HEADERS_LENGTH} characters or ${MAX_REQUEST_HEADER_NAMES} names); no policy can allow it.`;
      }
      if (refusal.detail?.startsWith('(')) {
        return `${subject}: Access-Control-Request-Headers is malformed (not a comma-separated list of header names); no policy can allow it.`;
      }
      return (
        `${subject}: request header ${refusal.detail} not allowed (allowedHeaders from ${where('allowedHeaders')}: ${policy.allowHeadersValue ?? 'any'}). ` +
        `To allow it, add "${refusal.detail}" to allowedHeaders.`
      );
    case 'private-network':
      return `${subject}: private network access requested but not allowed. To allow it, set allowPrivateNetwork: true.`;
  }
}
