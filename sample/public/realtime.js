/* global window, document, location */
// The playground's gateway and GraphQL panels. The chat connects with
// socket.io-client (served by the page's server as /vendor/socket.io.js) to
// the API's chat gateway; the GraphQL panel POSTs one query to /graphql. As on
// the scenario table, what the browser hides is explained, and the API's
// /stats/refusals tells what nestjs-cors logged for the refusal.

const config = window.PLAYGROUND_CONFIG;
const api = config.apiUrl;
const role =
  location.origin === config.appOrigin ? 'app' : location.origin === config.partnerOrigin ? 'partner' : 'other';
const CONNECT_TIMEOUT_MS = 5000;

const WHY = {
  websocket:
    'The API refused the WebSocket upgrade with 403 before the handshake: this origin is not in CORS_ORIGINS, ' +
    'and the chat gateway (no @Cors) follows the module defaults. Browsers open cross-origin WebSockets without ' +
    'any CORS check, so CorsIoAdapter checks Origin itself. A browser never tells the page the status: ' +
    'socket.io-client only reports "websocket error".',
  polling:
    "socket.io's long-polling requests are plain cross-origin HTTP: their answers carry no " +
    'Access-Control-Allow-Origin for this origin (not in CORS_ORIGINS), so the browser hid them and ' +
    'socket.io-client only reports "xhr poll error".',
  graphql:
    "paths: { '/graphql': 'graphql' } admits CORS_ORIGINS only: the JSON POST needs a preflight, nestjs-cors " +
    'refused it (403, no Access-Control-* header), and the browser never sent the query.',
};

/** What each panel gave: read by the browser test suite too. */
const results = {};
let socket;

async function lastRefusal() {
  try {
    const response = await fetch(`${api}/stats`);
    return (await response.json()).lastRefusal;
  } catch {
    return undefined;
  }
}

async function refusalsAfter(seq) {
  if (seq === undefined) return [];
  try {
    const response = await fetch(`${api}/stats/refusals?after=${seq}`);
    return (await response.json()).entries.map((entry) => entry.message);
  } catch {
    return [];
  }
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function render(panel, result, lines) {
  const outcome = panel.querySelector('.outcome');
  const details = panel.querySelector('.details');
  const good = result.outcome === 'connected' || result.outcome === 'allowed';
  outcome.replaceChildren(
    element('span', `badge ${good ? 'allowed' : 'blocked'}`, result.label),
    ...(result.matches === undefined
      ? []
      : [
          element(
            'span',
            result.matches ? 'verdict ok' : 'verdict bad',
            result.matches ? '✓ as expected' : '✗ unexpected',
          ),
        ]),
  );
  details.replaceChildren(...lines.map(([className, text]) => element('div', `line ${className}`, text)));
  for (const message of result.serverLog ?? []) {
    details.append(element('div', 'line server', `Server (CORS_DEBUG): ${message.replace(/^CORS /, '')}`));
  }
  panel.dataset.state = 'done';
}

function expected(panelExpectations) {
  return role === 'other' ? undefined : panelExpectations[role];
}

// ---- chat --------------------------------------------------------------------

function disconnect() {
  socket?.close();
  socket = undefined;
}

/** Connects over one transport; resolves with what the page could tell. */
async function connect(transport) {
  disconnect();
  const panel = document.getElementById('chat-panel');
  panel.dataset.state = 'running';
  const before = await lastRefusal();
  const client = window.io(api, {
    transports: [transport],
    reconnection: false,
    timeout: CONNECT_TIMEOUT_MS,
    withCredentials: true,
  });
  const outcome = await new Promise((resolve) => {
    client.once('connect', () => resolve({ outcome: 'connected' }));
    client.once('connect_error', (error) => resolve({ outcome: 'refused', error: String(error?.message ?? error) }));
  });
  const result = { ...outcome, transport, received: [] };
  if (outcome.outcome === 'connected') {
    socket = client;
    client.on('chat', (line) => {
      result.received.push(line);
      document
        .getElementById('chat-panel')
        .querySelector('.details')
        .append(element('div', 'line body', `${line.from}: ${line.text}`));
    });
    result.label = `connected (${transport})`;
  } else {
    client.close();
    result.label = `refused (${transport})`;
    result.reason = WHY[transport];
  }
  result.serverLog = await refusalsAfter(before);
  const want = expected({ app: 'connected', partner: 'refused' });
  result.expected = want;
  result.matches = want === undefined ? undefined : want === result.outcome;
  results.chat = result;
  render(
    panel,
    result,
    result.outcome === 'connected'
      ? [['facts', `socket id ${client.id}; send a message: every connected page receives it.`]]
      : [
          ['why', `Why: ${result.reason}`],
          ['', `socket.io-client: ${result.error}`],
        ],
  );
  return result;
}

/** Sends one chat line; resolves with the gateway's acknowledgement. */
async function send(text) {
  if (!socket) throw new Error('not connected');
  const line = await socket.timeout(CONNECT_TIMEOUT_MS).emitWithAck('chat', text);
  if (results.chat) results.chat.ack = line;
  return line;
}

// ---- GraphQL -------------------------------------------------------------------

async function queryGraphql() {
  const panel = document.getElementById('graphql-panel');
  panel.dataset.state = 'running';
  const before = await lastRefusal();
  let result;
  try {
    const response = await fetch(`${api}/graphql`, {
      method: 'POST',
      mode: 'cors',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: '{ headlines { title section } }' }),
    });
    const headers = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    result = { outcome: 'allowed', status: response.status, headers, body: await response.json() };
    result.label = `allowed ${response.status}`;
  } catch (error) {
    result = { outcome: 'blocked', error: String(error?.message ?? error), reason: WHY.graphql, label: 'blocked' };
  }
  result.serverLog = await refusalsAfter(before);
  const want = expected({ app: 200, partner: 'blocked' });
  result.expected = want;
  result.matches =
    want === undefined ? undefined : want === 'blocked' ? result.outcome === 'blocked' : result.status === want;
  results.graphql = result;
  render(
    panel,
    result,
    result.outcome === 'allowed'
      ? [
          ['', `Readable headers: ${Object.keys(result.headers).sort().join(' · ')}`],
          ['body', `Body: ${JSON.stringify(result.body)}`],
        ]
      : [
          ['why', `Why: ${result.reason}`],
          ['', `fetch(): ${result.error}`],
        ],
  );
  return result;
}

// ---- page --------------------------------------------------------------------

function describe(want) {
  if (want === undefined) return 'Expected here: (not a playground origin)';
  return `Expected here: ${want === 'blocked' || want === 'refused' ? want : want === 'connected' ? 'connects' : `allowed, ${want}`}`;
}

function renderPanels() {
  const chat = document.getElementById('chat-panel');
  chat.querySelector('.expected').textContent = describe(expected({ app: 'connected', partner: 'refused' }));
  for (const button of chat.querySelectorAll('button[data-chat]')) {
    const action = button.dataset.chat;
    button.addEventListener('click', () => (action === 'disconnect' ? disconnect() : connect(action)));
  }
  document.getElementById('chat-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = document.getElementById('chat-text').value;
    send(text).catch((error) => {
      chat.querySelector('.details').append(element('div', 'line why', `Not sent: ${error.message}`));
    });
  });
  const graphql = document.getElementById('graphql-panel');
  graphql.querySelector('.expected').textContent = describe(expected({ app: 200, partner: 'blocked' }));
  document.getElementById('graphql-run').addEventListener('click', () => queryGraphql());
}

window.realtime = { role, results, connect, send, disconnect, queryGraphql };
renderPanels();
