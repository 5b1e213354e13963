import { describe, expect, it } from '@jest/globals';
import { MAX_ORIGIN_LENGTH } from '../../lib/cors.constants.js';
import {
  classifyOriginEntry,
  isLoopbackHost,
  parseSerializedOrigin,
  type OriginSpecResult,
} from '../../lib/engine/origin-syntax.js';

/** A syntactically valid origin of exactly `length` characters (`https://` + labels + `.example.com`). */
function originOfLength(length: number): string {
  return `https://${'a'.repeat(length - 'https://'.length - '.example.com'.length)}.example.com`;
}

function problemOf(result: OriginSpecResult): string {
  if (!('problem' in result)) {
    throw new Error(`expected a problem, got ${JSON.stringify(result)}`);
  }
  return result.problem;
}

describe('parseSerializedOrigin', () => {
  it.each([
    ['https://app.example.com', { scheme: 'https', host: 'app.example.com', port: '' }],
    ['http://localhost:3000', { scheme: 'http', host: 'localhost', port: '3000' }],
    ['http://[::1]:8080', { scheme: 'http', host: '[::1]', port: '8080' }],
    ['http://127.0.0.1:5173', { scheme: 'http', host: '127.0.0.1', port: '5173' }],
    ['https://xn--bcher-kva.example', { scheme: 'https', host: 'xn--bcher-kva.example', port: '' }],
    ['https://a.com:8443', { scheme: 'https', host: 'a.com', port: '8443' }],
    ['https://a.com:65535', { scheme: 'https', host: 'a.com', port: '65535' }],
    ['http://a.com:443', { scheme: 'http', host: 'a.com', port: '443' }],
    ['https://a.com:80', { scheme: 'https', host: 'a.com', port: '80' }],
    ['http://[::1]', { scheme: 'http', host: '[::1]', port: '' }],
    ['chrome-extension://abcdefghijklmnop', { scheme: 'chrome-extension', host: 'abcdefghijklmnop', port: '' }],
    ['https://my_host.example.com', { scheme: 'https', host: 'my_host.example.com', port: '' }],
  ])('accepts %s', (value, expected) => {
    expect(parseSerializedOrigin(value)).toEqual(expected);
  });

  it.each([
    ['uppercase host', 'https://App.example.com'],
    ['uppercase scheme', 'HTTPS://app.example.com'],
    ['trailing slash', 'https://a.com/'],
    ['path', 'https://a.com/app'],
    ['query', 'https://a.com?x=1'],
    ['fragment', 'https://a.com#top'],
    ['port then path', 'https://a.com:8443/'],
    ['default https port', 'https://a.com:443'],
    ['default http port', 'http://a.com:80'],
    ['default wss port', 'wss://a.com:443'],
    ['default ws port', 'ws://a.com:80'],
    ['default port on IPv6', 'https://[::1]:443'],
    ['port 0', 'http://localhost:0'],
    ['leading zero port', 'http://localhost:03000'],
    ['port 65536', 'http://localhost:65536'],
    ['port 99999', 'http://localhost:99999'],
    ['six digit port', 'http://localhost:100000'],
    ['empty port', 'http://localhost:'],
    ['non-numeric port', 'http://localhost:80a'],
    ['two ports', 'http://localhost:3000:4000'],
    ['double dot', 'https://a..com'],
    ['leading dot', 'https://.a.com'],
    ['trailing dot', 'https://a.com.'],
    ['empty host', 'https://'],
    ['empty host with port', 'https://:8080'],
    ['comma-joined list', 'https://a.com, https://b.com'],
    ['comma without space', 'https://a.com,https://b.com'],
    ['space-joined list', 'https://a.com https://b.com'],
    ['leading space', ' https://a.com'],
    ['trailing space', 'https://a.com '],
    ['trailing tab', 'https://a.com\t'],
    ['carriage return', 'https://a.com\r'],
    ['line feed injection', 'https://a.com\nSet-Cookie: x=1'],
    ['NUL', 'https://a.com\u0000'],
    ['unicode host', 'https://bücher.example'],
    ['unicode lookalike', 'https://аpple.com'],
    ['null', 'null'],
    ['empty string', ''],
    ['missing scheme', 'a.com'],
    ['scheme-relative', '//a.com'],
    ['missing slashes', 'https:a.com'],
    ['one slash', 'https:/a.com'],
    ['scheme starting with a digit', '1http://a.com'],
    ['userinfo', 'https://u@a.com'],
    ['userinfo with password', 'https://u:p@a.com'],
    ['unclosed IPv6', 'http://[::1'],
    ['empty IPv6', 'http://[]'],
    ['IPv6 with garbage', 'http://[::g]'],
    ['IPv6 followed by text', 'http://[::1]x'],
    ['wildcard', '*'],
    ['pattern', 'https://*.example.com'],
  ])('refuses %s', (_label, value) => {
    expect(parseSerializedOrigin(value)).toBeUndefined();
  });

  it(`accepts exactly MAX_ORIGIN_LENGTH (${MAX_ORIGIN_LENGTH}) characters and refuses one more`, () => {
    const longest = originOfLength(MAX_ORIGIN_LENGTH);
    const tooLong = originOfLength(MAX_ORIGIN_LENGTH + 1);
    expect(longest).toHaveLength(MAX_ORIGIN_LENGTH);
    expect(parseSerializedOrigin(longest)?.host).toBe(longest.slice('https://'.length));
    expect(parseSerializedOrigin(tooLong)).toBeUndefined();
  });

  it('refuses a huge value', () => {
    expect(parseSerializedOrigin(`https://${'a'.repeat(100_000)}.com`)).toBeUndefined();
  });
});

describe('parseSerializedOrigin: the Fetch Origin grammar (2026)', () => {
  it.each([
    'http://[::1]',
    'http://[::]',
    'http://[1::]',
    'http://[2001:db8::1]:8080',
    'https://[2001:db8:0:1:1:1:1:1]',
    'http://[1:0:0:1::1]',
    'http://[1::2:0:0:1:1]',
    'http://[0:0:1::]',
    'http://[::ffff:102:304]',
    'https://[fe80::abcd:ef01]',
    'http://[1:2:3:4:5:6:7:8]',
  ])('accepts the canonical IPv6 origin %s', (origin) => {
    expect(new URL(origin).origin).toBe(origin);
    expect(parseSerializedOrigin(origin)?.host).toBe(origin.slice(origin.indexOf('['), origin.indexOf(']') + 1));
  });

  it.each([
    ['uncompressed', 'http://[0:0:0:0:0:0:0:1]', 'http://[::1]'],
    ['leading zeros', 'http://[::0001]', 'http://[::1]'],
    ['uppercase hex', 'http://[ABCD::1]', 'http://[abcd::1]'],
    ['a zero piece compressed alone', 'http://[1:0:2:3:4:5:6:7]', 'http://[1:0:2:3:4:5:6:7]'],
    ['the shorter run compressed', 'http://[1::1:0:0:0:1]', 'http://[1:0:0:1::1]'],
    ['the later of two equal runs compressed', 'http://[1:0:0:2::3:4]', 'http://[1::2:0:0:3:4]'],
    ['an embedded IPv4 part', 'http://[::ffff:1.2.3.4]', 'http://[::ffff:102:304]'],
    ['a compressed single zero', 'http://[1:2:3:4:5:6:7::]', 'http://[1:2:3:4:5:6:7:0]'],
  ])('refuses a non-canonical IPv6 origin (%s): %s', (_label, origin, sent) => {
    expect(new URL(origin).origin).toBe(sent);
    if (sent !== origin) expect(parseSerializedOrigin(origin)).toBeUndefined();
  });

  it.each(['http://[::1::2]', 'http://[1:2:3:4:5:6:7:8:9]', 'http://[12345::1]', 'http://[:1]', 'http://[1:]'])(
    'refuses malformed IPv6 %s',
    (origin) => {
      expect(parseSerializedOrigin(origin)).toBeUndefined();
    },
  );

  it.each([
    ['a short IPv4 form', 'http://127.1', 'http://127.0.0.1'],
    ['a hexadecimal part', 'http://0x7f.0.0.1', 'http://127.0.0.1'],
    ['an octal part', 'http://0177.0.0.1', 'http://127.0.0.1'],
    ['a leading zero', 'http://1.2.3.04', 'http://1.2.3.4'],
    ['a number as the last label', 'https://a.1', undefined],
    ['a hex number as the last label', 'https://example.0xff', undefined],
    ['five parts', 'http://1.2.3.4.5', undefined],
    ['a part over 255', 'http://256.1.1.1', undefined],
    ['invalid punycode', 'https://xn--a.example', undefined],
  ])('refuses a host browsers never send as it is (%s): %s', (_label, origin, sent) => {
    let serialized: string | undefined;
    try {
      serialized = new URL(origin).origin;
    } catch {
      serialized = undefined;
    }
    expect(serialized).toBe(sent);
    expect(parseSerializedOrigin(origin)).toBeUndefined();
  });

  it.each(['http://127.0.0.1', 'http://0.0.0.0:8080', 'http://255.255.255.255', 'https://a.1e', 'https://abc.0xyz'])(
    'accepts %s (canonical IPv4, or a last label that is not a number)',
    (origin) => {
      expect(new URL(origin).origin).toBe(origin);
      expect(parseSerializedOrigin(origin)).toBeDefined();
    },
  );

  it.each(['null', 'Null', 'NULL', 'nul', 'null '])(
    '%j is not a serialized origin (null is matched literally)',
    (v) => {
      expect(parseSerializedOrigin(v)).toBeUndefined();
    },
  );
});

describe('isLoopbackHost', () => {
  it.each(['localhost', 'app.localhost', 'a.b.localhost', '[::1]', '127.0.0.1', '127.1.2.3', '127.255.255.255'])(
    '%s is loopback',
    (host) => {
      expect(isLoopbackHost(host)).toBe(true);
    },
  );

  it.each([
    'example.com',
    'localhost.example.com',
    'mylocalhost',
    'notlocalhost',
    '127.0.0.1.example.com',
    'x127.0.0.1',
    '128.0.0.1',
    '10.0.0.1',
    '192.168.1.1',
    '::1',
    '[::2]',
    '0.0.0.0',
    '',
  ])('%s is not loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('classifyOriginEntry', () => {
  it('"*" means any origin', () => {
    expect(classifyOriginEntry('*')).toEqual({ spec: { kind: 'any' } });
  });

  it('"null" means the opaque origin', () => {
    expect(classifyOriginEntry('null')).toEqual({ spec: { kind: 'null' } });
  });

  it('an exact origin keeps its text and parts', () => {
    expect(classifyOriginEntry('https://app.example.com')).toEqual({
      spec: {
        kind: 'exact',
        origin: 'https://app.example.com',
        parsed: { scheme: 'https', host: 'app.example.com', port: '' },
      },
    });
    expect(classifyOriginEntry('http://localhost:3000')).toEqual({
      spec: {
        kind: 'exact',
        origin: 'http://localhost:3000',
        parsed: { scheme: 'http', host: 'localhost', port: '3000' },
      },
    });
  });

  it.each([
    [
      'https://*.example.com',
      { kind: 'subdomains', scheme: 'https', base: 'example.com', port: '', publicSuffix: false },
    ],
    [
      'https://*.example.com:8443',
      { kind: 'subdomains', scheme: 'https', base: 'example.com', port: '8443', publicSuffix: false },
    ],
    [
      'https://*.example.com:*',
      { kind: 'subdomains', scheme: 'https', base: 'example.com', port: '*', publicSuffix: false },
    ],
    [
      'https://*.api.example.co.uk',
      { kind: 'subdomains', scheme: 'https', base: 'api.example.co.uk', port: '', publicSuffix: false },
    ],
    ['http://*.localhost', { kind: 'subdomains', scheme: 'http', base: 'localhost', port: '', publicSuffix: false }],
    ['http://*.localhost:*', { kind: 'subdomains', scheme: 'http', base: 'localhost', port: '*', publicSuffix: false }],
  ])('subdomain pattern %s', (entry, spec) => {
    expect(classifyOriginEntry(entry)).toEqual({ spec });
  });

  it.each([
    ['http://localhost:*', { kind: 'any-port', scheme: 'http', host: 'localhost' }],
    ['http://127.0.0.1:*', { kind: 'any-port', scheme: 'http', host: '127.0.0.1' }],
    ['https://dev.example.com:*', { kind: 'any-port', scheme: 'https', host: 'dev.example.com' }],
  ])('port pattern %s', (entry, spec) => {
    expect(classifyOriginEntry(entry)).toEqual({ spec });
  });

  it.each([
    ['https://*.github.io', 'github.io'],
    ['https://*.vercel.app', 'vercel.app'],
    ['https://*.co.uk', 'co.uk'],
    ['https://*.s3.amazonaws.com', 's3.amazonaws.com'],
  ])('a subdomain pattern over the public suffix %s is marked as such', (entry, base) => {
    expect(classifyOriginEntry(entry)).toEqual({
      spec: { kind: 'subdomains', scheme: 'https', base, port: '', publicSuffix: true },
    });
  });

  describe('policy origins written otherwise than browsers send them get the canonical spelling', () => {
    it.each([
      ['http://[0:0:0:0:0:0:0:1]:3000', 'http://[::1]:3000'],
      ['http://[::0001]', 'http://[::1]'],
      ['http://[::ffff:1.2.3.4]', 'http://[::ffff:102:304]'],
      ['http://127.1:3000', 'http://127.0.0.1:3000'],
      ['http://0x7f.0.0.1', 'http://127.0.0.1'],
    ])('%s → %s', (entry, canonical) => {
      expect(problemOf(classifyOriginEntry(entry))).toBe(
        `"${entry}" is not how browsers send this origin: "${canonical}"`,
      );
    });

    it.each([
      ['http://[ABCD::1]', 'http://[abcd::1]'],
      ['HTTP://[0:0:0:0:0:0:0:1]', 'http://[::1]'],
      ['HTTPS://App.Example.com', 'https://app.example.com'],
    ])('uppercase %s → %s', (entry, canonical) => {
      expect(problemOf(classifyOriginEntry(entry))).toBe(
        `"${entry}" must be lowercase, as browsers send it: "${canonical}"`,
      );
    });

    it('a pattern with an uppercase domain gets the lowercase pattern', () => {
      expect(problemOf(classifyOriginEntry('https://*.Example.com:8443'))).toBe(
        '"https://*.Example.com:8443": the part after "*." must be a lowercase domain name: "https://*.example.com:8443"',
      );
    });

    it('a host no browser can load a page from says so', () => {
      expect(problemOf(classifyOriginEntry('https://a.1'))).toBe(
        '"https://a.1" is not an origin a browser can load a page from (the URL parser refuses it), so no request comes from it',
      );
    });
  });

  describe('problems name the fix', () => {
    it('trailing slash: suggests the origin without it', () => {
      const problem = problemOf(classifyOriginEntry('https://app.example.com/'));
      expect(problem).toContain('slash');
      expect(problem).toContain('"https://app.example.com"');
    });

    it('path: suggests scheme, host and port only', () => {
      const problem = problemOf(classifyOriginEntry('https://app.example.com:8443/api/v1'));
      expect(problem).toContain('path');
      expect(problem).toContain('"https://app.example.com:8443"');
    });

    it('query: suggests the origin alone', () => {
      const problem = problemOf(classifyOriginEntry('https://app.example.com?x=1'));
      expect(problem).toContain('"https://app.example.com"');
    });

    it('missing scheme: suggests https://', () => {
      const problem = problemOf(classifyOriginEntry('app.example.com'));
      expect(problem).toContain('no scheme');
      expect(problem).toContain('"https://app.example.com"');
    });

    it('scheme-relative: suggests https:// without the slashes', () => {
      const problem = problemOf(classifyOriginEntry('//app.example.com'));
      expect(problem).toContain('"https://app.example.com"');
    });

    it('uppercase: suggests the lowercase origin', () => {
      const problem = problemOf(classifyOriginEntry('https://App.Example.com'));
      expect(problem).toContain('lowercase');
      expect(problem).toContain('"https://app.example.com"');
    });

    it('default port: suggests the origin without it', () => {
      const https = problemOf(classifyOriginEntry('https://app.example.com:443'));
      expect(https).toContain('default port');
      expect(https).toContain('"https://app.example.com"');
      const http = problemOf(classifyOriginEntry('http://app.example.com:80'));
      expect(http).toContain('default port');
      expect(http).toContain('"http://app.example.com"');
    });

    it.each(['https://a.com, https://b.com', 'https://a.com,https://b.com', ' https://a.com', 'https://a.com '])(
      'whitespace or comma (%j): list each origin as its own entry',
      (entry) => {
        const problem = problemOf(classifyOriginEntry(entry));
        expect(problem).toContain('whitespace or a comma');
        expect(problem).toContain('its own entry');
      },
    );

    it('a pattern over a top-level domain is too broad, and the message shows a narrower one', () => {
      const problem = problemOf(classifyOriginEntry('https://*.com'));
      expect(problem).toContain('every domain under ".com"');
      expect(problem).toContain('"https://*.example.com"');
    });

    it('"*" inside a label is not a pattern', () => {
      const problem = problemOf(classifyOriginEntry('https://foo*.example.com'));
      expect(problem).toContain('"https://foo*.example.com" is not a valid origin pattern');
      expect(problem).toContain('"https://*.example.com"');
      expect(problem).toContain('"http://localhost:*"');
    });

    it('a subdomain pattern without a scheme: the message shows it with one', () => {
      const problem = problemOf(classifyOriginEntry('*.example.com'));
      expect(problem).toContain('"https://*.example.com"');
    });

    it('a subdomain pattern without a scheme, on another domain: the message shows that domain with a scheme', () => {
      const problem = problemOf(classifyOriginEntry('*.example.org'));
      expect(problem).toContain('https://*.example.org');
    });

    it('a subdomain pattern with a default port: the message names the port, not the domain', () => {
      const problem = problemOf(classifyOriginEntry('https://*.example.com:443'));
      expect(problem).toContain('default port');
      expect(problem).toContain('"https://*.example.com"');
    });

    it.each([
      ['https://*.Example.com', 'lowercase domain name'],
      ['https://*.127.0.0.1', 'lowercase domain name'],
      ['http://Localhost:*', 'lowercase host name'],
    ])('pattern %s: %s', (entry, fragment) => {
      expect(problemOf(classifyOriginEntry(entry))).toContain(fragment);
    });

    it.each([
      [
        'https://bücher.example',
        '"https://bücher.example" is not how browsers send this origin: "https://xn--bcher-kva.example"',
      ],
      ['https://u@a.com', '"https://u@a.com" is not how browsers send this origin: "https://a.com"'],
      ['https://a.com\u0000', '"https://a.com\\u0000" contains a control character; no browser sends one in an origin'],
    ])('%j: the message gives the spelling browsers send', (entry, message) => {
      expect(problemOf(classifyOriginEntry(entry))).toBe(message);
    });

    it.each(['https://a..com'])('other malformed entry %j is described as not a serialized origin', (entry) => {
      expect(problemOf(classifyOriginEntry(entry))).toContain('is not a serialized origin');
    });
  });
});
