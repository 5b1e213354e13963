import { parse } from 'tldts';

/**
 * Whether `domain` is itself a public suffix by the Public Suffix List
 * (its ICANN and private sections: `co.uk`, `github.io`, `vercel.app`,
 * `s3.amazonaws.com`): a name under which anyone can register their own
 * subdomain. Names only matched by the list's implicit `*` rule (`localhost`,
 * an unlisted TLD) are not, so `*.localhost` stays a local pattern. Boot time only.
 */
export function isPublicSuffix(domain: string): boolean {
  const result = parse(domain, { allowPrivateDomains: true, extractHostname: false });
  return result.publicSuffix === domain && (result.isIcann === true || result.isPrivate === true);
}
