import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import { compilePolicy, disabledPolicy } from '../../lib/engine/compiled-policy.js';
import type { CorsPolicy } from '../../lib/interfaces/index.js';
import { upgradeRulesOf } from '../../lib/websockets/gateway-policies.js';
import { isSameHostOrigin, judgeUpgrade, upgradeOrigin } from '../../lib/websockets/upgrade-check.js';

/** The rules of a server from policy fields (extra fields pass as they would once the policy declares them). */
function rules(fields: Record<string, unknown>, options = {}) {
  const merged = { fields: fields as CorsPolicy, sources: {}, ranks: {} };
  return upgradeRulesOf(compilePolicy(merged, 'ChatGateway'), options, 'ChatGateway');
}

function upgrade(headers: Record<string, string>): IncomingMessage {
  return { headers, url: '/socket.io/?EIO=4&transport=websocket' } as unknown as IncomingMessage;
}

describe('the upgrade check', () => {
  it("tells an origin of the request's own host (default ports written or not)", () => {
    expect(isSameHostOrigin('http://127.0.0.1:3000', '127.0.0.1:3000')).toBe(true);
    expect(isSameHostOrigin('https://chat.example.com', 'Chat.Example.com')).toBe(true);
    expect(isSameHostOrigin('https://chat.example.com', 'chat.example.com:443')).toBe(true);
    expect(isSameHostOrigin('http://chat.example.com', 'chat.example.com:80')).toBe(true);
    expect(isSameHostOrigin('http://[::1]:3000', '[::1]:3000')).toBe(true);
  });

  it('never takes another host, port, an opaque origin or a missing Host for the same origin', () => {
    expect(isSameHostOrigin('https://evil.example.net', 'chat.example.com')).toBe(false);
    expect(isSameHostOrigin('http://127.0.0.1:3001', '127.0.0.1:3000')).toBe(false);
    expect(isSameHostOrigin('https://chat.example.com', 'chat.example.com:80')).toBe(false);
    expect(isSameHostOrigin('https://chat.example.com.evil.net', 'chat.example.com')).toBe(false);
    expect(isSameHostOrigin('null', 'null')).toBe(false);
    expect(isSameHostOrigin('file://', '')).toBe(false);
    expect(isSameHostOrigin('https://chat.example.com', undefined)).toBe(false);
  });

  it('reads the Origin of an upgrade, or the Sec-WebSocket-Origin of protocol-8 clients', () => {
    expect(upgradeOrigin(upgrade({ origin: 'https://a.example' }))).toBe('https://a.example');
    expect(upgradeOrigin(upgrade({ 'sec-websocket-origin': 'https://b.example' }))).toBe('https://b.example');
    expect(upgradeOrigin(upgrade({}))).toBeUndefined();
  });

  it('refuses origins the policy refuses, lets allowed and same-host ones through', () => {
    const chat = rules({ origin: 'https://chat.example.com' });
    expect(judgeUpgrade(chat, upgrade({ origin: 'https://chat.example.com', host: 'api.example.com' }))).toBe(
      undefined,
    );
    expect(judgeUpgrade(chat, upgrade({ origin: 'https://evil.example.net', host: 'api.example.com' }))).toBe('origin');
    expect(judgeUpgrade(chat, upgrade({ origin: 'https://api.example.com', host: 'api.example.com' }))).toBe(undefined);
    expect(judgeUpgrade(chat, upgrade({ origin: 'https://a.example, https://chat.example.com' }))).toBe('origin');
  });

  it('with CORS off, lets same-host pages and clients without Origin through only', () => {
    const off = upgradeRulesOf(disabledPolicy('ChatGateway'), {}, 'ChatGateway');
    expect(judgeUpgrade(off, upgrade({ origin: 'https://chat.example.com', host: 'api.example.com' }))).toBe('origin');
    expect(judgeUpgrade(off, upgrade({ origin: 'https://api.example.com', host: 'api.example.com' }))).toBe(undefined);
    expect(judgeUpgrade(off, upgrade({ host: 'api.example.com' }))).toBe(undefined);
  });

  it('takes rejectMissingOrigin from the policy first, then from the adapter options', () => {
    expect(rules({ origin: '*' }).rejectMissingOrigin).toBe(false);
    expect(rules({ origin: '*' }, { rejectMissingOrigin: true }).rejectMissingOrigin).toBe(true);
    expect(rules({ origin: '*', rejectMissingOrigin: true }).rejectMissingOrigin).toBe(true);
    expect(rules({ origin: '*', rejectMissingOrigin: false }, { rejectMissingOrigin: true }).rejectMissingOrigin).toBe(
      false,
    );
    expect(judgeUpgrade(rules({ origin: '*', rejectMissingOrigin: true }), upgrade({}))).toBe('missing-origin');
  });

  it('waits for an asynchronous origin function', async () => {
    const async = rules({ origin: async (origin: string) => origin === 'https://chat.example.com' });
    await expect(judgeUpgrade(async, upgrade({ origin: 'https://chat.example.com' }))).resolves.toBe(undefined);
    await expect(judgeUpgrade(async, upgrade({ origin: 'https://evil.example.net' }))).resolves.toBe('origin');
  });
});
