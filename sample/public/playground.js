/* global window, document, location */
// The CORS playground: each scenario makes one real cross-origin request to
// the sample API (another port, so another origin) and shows what this page
// could read. A response the browser blocks is opaque to JavaScript (fetch
// only throws "Failed to fetch"), so each scenario states why it is blocked,
// and the page asks the API's /stats endpoints what the server saw: the
// preflights it received and nestjs-cors's explanation of each refusal.

const config = window.PLAYGROUND_CONFIG;
const api = config.apiUrl;
const role =
  location.origin === config.appOrigin ? 'app' : location.origin === config.partnerOrigin ? 'partner' : 'other';
const SESSION_COOKIE = 'playground_session';
/** Chromium caches a preflight for 5 s when the answer has no Access-Control-Max-Age. */
const PAST_DEFAULT_PREFLIGHT_CACHE_MS = 5500;

let sequence = 0;
const unique = (prefix) => `${prefix}-${Date.now().toString(36)}-${++sequence}`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One cross-origin fetch, reduced to what this page could observe. */
async function send(path, init = {}) {
  try {
    const response = await fetch(api + path, { mode: 'cors', ...init });
    const headers = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const text = await response.text();
    let body = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { outcome: 'allowed', status: response.status, headers, body };
  } catch (error) {
    return { outcome: 'blocked', status: null, headers: {}, body: null, error: String(error?.message ?? error) };
  }
}

/** What the server saw; `/stats` is public (origin '*'), readable from every origin. */
async function serverStats() {
  const response = await fetch(`${api}/stats`);
  return response.json();
}

async function refusalsAfter(seq) {
  const response = await fetch(`${api}/stats/refusals?after=${seq}`);
  return (await response.json()).entries.map((entry) => entry.message);
}

const json = () => ({ 'Content-Type': 'application/json' });

/**
 * Every scenario: what it shows, the request, what to expect from each page
 * origin ('app': listed in CORS_ORIGINS; 'partner': the same page from
 * 127.0.0.1, listed only in PARTNER_ORIGINS), why it is blocked when it is,
 * and extra checks on what an allowed request could read.
 */
const scenarios = [
  {
    id: 'simple-get',
    title: 'Simple GET, module defaults',
    feature: 'No @Cors(): origin and credentials from CorsModule.forRootAsync (CORS_ORIGINS)',
    request: 'GET /articles',
    expect: { app: 200, partner: 'blocked' },
    why: 'This origin is not in CORS_ORIGINS, so the answer has no Access-Control-Allow-Origin. The handler still ran: CORS hides responses, it does not stop simple requests.',
    run: () => send('/articles'),
  },
  {
    id: 'credentialed-post',
    title: 'Credentialed JSON POST',
    feature: "credentials: true (CORS_CREDENTIALS); fetch(..., { credentials: 'include' }) sends this page's cookie",
    request: 'POST /articles, Content-Type: application/json, cookie',
    expect: { app: 201, partner: 'blocked' },
    why: 'JSON is not a simple content type, so the browser sent a preflight first; nestjs-cors refused it (403) because this origin is not in CORS_ORIGINS, and the POST was never sent.',
    run: async (context) => {
      context.cookie = unique('session');
      document.cookie = `${SESSION_COOKIE}=${context.cookie}; path=/; SameSite=Lax`;
      return send('/articles', {
        method: 'POST',
        credentials: 'include',
        headers: json(),
        body: JSON.stringify({ title: 'Written from the playground' }),
      });
    },
    checks: (result, context) => [
      [result.body?.sessionCookie === context.cookie, `the API received the cookie: ${result.body?.sessionCookie}`],
      [result.headers['access-control-allow-credentials'] === undefined, 'Access-Control-* headers are not readable'],
    ],
  },
  {
    id: 'preflighted-put',
    title: 'Preflighted PUT with a custom header',
    feature: "Controller-level @Cors({ methods, allowedHeaders: ['Content-Type', 'X-Request-Id'], exposedHeaders })",
    request: 'PUT /documents/42, X-Request-Id',
    expect: { app: 200, partner: 'blocked' },
    why: 'Preflight refused (403): this origin is not in CORS_ORIGINS, which the controller inherits.',
    run: (context) => {
      context.requestId = unique('req');
      return send('/documents/42', {
        method: 'PUT',
        headers: { ...json(), 'X-Request-Id': context.requestId },
        body: JSON.stringify({ title: 'Renamed' }),
      });
    },
    checks: (result, context) => [
      [
        result.headers['x-request-id'] === context.requestId,
        `X-Request-Id echoed and exposed: ${result.headers['x-request-id']}`,
      ],
    ],
  },
  {
    id: 'preflighted-delete',
    title: 'Preflighted DELETE, route-level override',
    feature: "@Cors({ allowedHeaders: ['X-Request-Id', 'X-Delete-Reason'] }) on the handler",
    request: 'DELETE /documents/42, X-Request-Id, X-Delete-Reason',
    expect: { app: 200, partner: 'blocked' },
    why: 'Preflight refused (403): this origin is not in CORS_ORIGINS.',
    run: () =>
      send('/documents/42', {
        method: 'DELETE',
        headers: { 'X-Request-Id': unique('req'), 'X-Delete-Reason': 'duplicate' },
      }),
    checks: (result) => [
      [result.body?.reason === 'duplicate', `the handler read X-Delete-Reason: ${result.body?.reason}`],
    ],
  },
  {
    id: 'header-refused',
    title: 'A header this route does not allow',
    feature: 'The override above is per route: PUT keeps the controller allowedHeaders',
    request: 'PUT /documents/42, X-Delete-Reason',
    expect: { app: 'blocked', partner: 'blocked' },
    why: "Preflight refused (403), no Access-Control-* header: X-Delete-Reason is allowed on DELETE only; the controller's allowedHeaders are Content-Type, X-Request-Id.",
    run: () => send('/documents/42', { method: 'PUT', headers: { 'X-Delete-Reason': 'typo' } }),
  },
  {
    id: 'exposed-header',
    title: 'Exposed response header',
    feature: "@Cors({ exposedHeaders: ['X-Report-Version'] }): X-Internal-Trace is sent too, but not exposed",
    request: 'GET /reports/latest',
    expect: { app: 200, partner: 'blocked' },
    why: 'This origin is not in CORS_ORIGINS: no header of the response is readable, exposed or not.',
    run: () => send('/reports/latest'),
    checks: (result) => [
      [result.headers['x-report-version'] === '7', `X-Report-Version readable: ${result.headers['x-report-version']}`],
      [!('x-internal-trace' in result.headers), 'X-Internal-Trace hidden from this page'],
    ],
  },
  {
    id: 'auth-401',
    title: 'Auth guard, no token: a readable 401',
    feature: 'APP_GUARD DemoAuthGuard; the early hook already wrote the CORS headers',
    request: 'GET /account/profile',
    expect: { app: 401, partner: 'blocked' },
    why: 'This origin is not in CORS_ORIGINS: even the 401 is hidden, so the page only sees a network error.',
    run: () => send('/account/profile'),
    checks: (result) => [
      [String(result.body?.message).includes('Bearer demo'), `401 body readable: "${result.body?.message}"`],
    ],
  },
  {
    id: 'auth-ok',
    title: 'Auth guard, with Authorization: Bearer demo',
    feature: 'Authorization forces a preflight; nestjs-cors answers it before any guard runs',
    request: 'GET /account/profile, Authorization: Bearer demo',
    expect: { app: 200, partner: 'blocked' },
    why: 'Preflight refused (403): this origin is not in CORS_ORIGINS.',
    run: () => send('/account/profile', { headers: { Authorization: 'Bearer demo' } }),
  },
  {
    id: 'disabled',
    title: 'CORS off: @Cors(false)',
    feature: '@Cors(false) on the controller: no CORS header at all',
    request: 'GET /internal/health',
    expect: { app: 'blocked', partner: 'blocked' },
    why: '@Cors(false): the response carries no Access-Control-Allow-Origin for any origin (the handler ran; the browser hid the answer). A preflight here would get a 403.',
    run: () => send('/internal/health'),
  },
  {
    id: 're-enabled',
    title: 'Back on: @Cors() under @Cors(false)',
    feature: '@Cors() on one handler turns CORS on again with the inherited fields',
    request: 'GET /internal/version',
    expect: { app: 200, partner: 'blocked' },
    why: 'CORS is on again for this route, with the module defaults: this origin is not in CORS_ORIGINS.',
    run: () => send('/internal/version'),
  },
  {
    id: 'named-policy',
    title: "Named policy @Cors('partners')",
    feature: 'policies.partners in forRootAsync: CORS_ORIGINS + PARTNER_ORIGINS, GET only, no credentials',
    request: 'GET /partners/catalog',
    expect: { app: 200, partner: 200 },
    why: 'This origin is in neither CORS_ORIGINS nor PARTNER_ORIGINS.',
    run: () => send('/partners/catalog'),
  },
  {
    id: 'route-origin',
    title: 'Route-level origin: one page admitted, the other refused',
    feature: "@Cors({ origin: 'http://127.0.0.1:*' }) on the handler: 127.0.0.1 on any port, not localhost",
    request: 'GET /ops/metrics',
    expect: { app: 'blocked', partner: 200 },
    why: "The route's own origin list ('http://127.0.0.1:*') replaces the module defaults: localhost is not in it.",
    run: () => send('/ops/metrics'),
  },
  {
    id: 'wildcard',
    title: "Public route, origin: '*'",
    feature: "@Cors({ origin: '*', credentials: false }): Access-Control-Allow-Origin: * for everyone",
    request: 'GET /public/status',
    expect: { app: 200, partner: 200 },
    why: 'A wildcard route admits every origin; blocked means the API is unreachable.',
    run: () => send('/public/status'),
  },
  {
    id: 'wildcard-credentials',
    title: 'Public route, credentialed read refused',
    feature: "Same route with credentials: 'include'",
    request: "GET /public/status, credentials: 'include'",
    expect: { app: 'blocked', partner: 'blocked' },
    why: "The answer says Access-Control-Allow-Origin: * and no Allow-Credentials: a browser never lets a credentialed request read a wildcard answer. (nestjs-cors refuses origin '*' with credentials: true at startup.)",
    run: () => send('/public/status', { credentials: 'include' }),
  },
  {
    id: 'max-age',
    title: 'Preflight cached: maxAge: 600',
    feature: "@Cors({ maxAge: 600 }): 3 identical PUTs, the 3rd after 5.5 s (past Chromium's 5 s default cache)",
    request: 'PUT /drafts/:id ×3, X-Draft-Token',
    expect: { app: 200, partner: 'blocked' },
    why: 'Preflight refused (403): this origin is not in CORS_ORIGINS. Refused preflights are not cached.',
    run: async (context) => {
      const path = `/drafts/${unique('draft')}`;
      context.path = path;
      const save = () =>
        send(path, {
          method: 'PUT',
          headers: { ...json(), 'X-Draft-Token': 'autosave' },
          body: JSON.stringify({ text: 'Hello' }),
        });
      let result = await save();
      if (result.outcome === 'allowed') {
        await save();
        await sleep(PAST_DEFAULT_PREFLIGHT_CACHE_MS);
        result = await save();
      }
      context.preflightsForPath = (await serverStats()).preflights.byPath[path] ?? 0;
      return result;
    },
    checks: (result, context) => [
      [context.preflightsForPath === 1, `OPTIONS requests the server got for this path: ${context.preflightsForPath}`],
    ],
  },
  {
    id: 'max-age-0',
    title: 'Preflight not cached: maxAge: 0',
    feature: '@Cors({ maxAge: 0 }): 3 identical PUTs, 3 preflights',
    request: 'PUT /drafts/:id/uncached ×3, X-Draft-Token',
    expect: { app: 200, partner: 'blocked' },
    why: 'Preflight refused (403): this origin is not in CORS_ORIGINS.',
    run: async (context) => {
      const path = `/drafts/${unique('draft')}/uncached`;
      context.path = path;
      const save = () =>
        send(path, {
          method: 'PUT',
          headers: { ...json(), 'X-Draft-Token': 'autosave' },
          body: JSON.stringify({ text: 'Hello' }),
        });
      let result = await save();
      if (result.outcome === 'allowed') {
        await save();
        result = await save();
      }
      context.preflightsForPath = (await serverStats()).preflights.byPath[path] ?? 0;
      return result;
    },
    checks: (result, context) => [
      [context.preflightsForPath === 3, `OPTIONS requests the server got for this path: ${context.preflightsForPath}`],
    ],
  },
  {
    id: 'reject-disallowed',
    title: 'Side effects stopped: rejectDisallowedOrigins',
    feature: '@Cors({ rejectDisallowedOrigins: true }) on a text/plain POST (a simple request: no preflight)',
    request: 'POST /newsletter/subscriptions, text/plain',
    expect: { app: 201, partner: 'blocked' },
    why: 'No preflight protects a simple POST; rejectDisallowedOrigins answered 403 before the handler ran, so nothing was subscribed.',
    run: () =>
      send('/newsletter/subscriptions', {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain' },
        body: 'me@example.com',
      }),
    // Checked whatever the outcome: a refused request must not have run the handler.
    serverChecks: (result, context) => [
      [
        context.handlerRuns === (result.outcome === 'allowed' ? 1 : 0),
        `times the handler ran (server side): ${context.handlerRuns}`,
      ],
    ],
  },
  {
    id: 'not-found',
    title: 'A path no controller serves',
    feature: 'Unknown paths get the module defaults, so the 404 is readable',
    request: 'GET /no-such-route',
    expect: { app: 404, partner: 'blocked' },
    why: 'The module defaults apply to unknown paths too: this origin is not in CORS_ORIGINS.',
    run: () => send('/no-such-route'),
  },
];

/** What each scenario gave, by id: read by the browser test suite too. */
const results = {};

function expectation(scenario) {
  return role === 'other' ? undefined : scenario.expect[role];
}

async function runScenario(scenario) {
  const row = document.querySelector(`tr[data-id="${scenario.id}"]`);
  row.dataset.state = 'running';
  renderOutcome(row, { pending: true });
  const context = {};
  let before;
  try {
    before = await serverStats();
  } catch {
    before = undefined;
  }
  let result;
  try {
    result = await scenario.run(context);
  } catch (error) {
    // Not a CORS outcome: the playground itself failed (the API stopped mid-scenario, say).
    result = { outcome: 'error', status: null, headers: {}, body: null, error: String(error?.message ?? error) };
  }
  let after;
  try {
    after = await serverStats();
  } catch {
    after = undefined;
  }
  if (before && after) {
    result.preflights = after.preflights.total - before.preflights.total;
    context.handlerRuns = after.subscribers - before.subscribers;
    result.serverLog = after.lastRefusal > before.lastRefusal ? await refusalsAfter(before.lastRefusal) : [];
  } else {
    result.apiUnreachable = true;
    result.serverLog = [];
  }
  if ('path' in context) result.path = context.path;
  if ('preflightsForPath' in context) result.preflightsForPath = context.preflightsForPath;
  if (scenario.serverChecks) result.handlerRuns = context.handlerRuns;
  const expected = expectation(scenario);
  const checks = [
    ...(result.outcome === 'allowed' && scenario.checks ? scenario.checks(result, context) : []),
    ...(scenario.serverChecks && !result.apiUnreachable ? scenario.serverChecks(result, context) : []),
  ];
  result.checks = checks.map(([ok, text]) => ({ ok: Boolean(ok), text }));
  result.expected = expected;
  result.matches =
    expected === undefined
      ? undefined
      : (expected === 'blocked'
          ? result.outcome === 'blocked'
          : result.outcome === 'allowed' && result.status === expected) && result.checks.every((check) => check.ok);
  result.reason = result.outcome === 'blocked' ? scenario.why : undefined;
  results[scenario.id] = result;
  renderOutcome(row, result);
  row.dataset.state = 'done';
  updateSummary();
  return result;
}

let busy = false;
async function exclusive(work) {
  if (busy) return undefined;
  busy = true;
  document.body.dataset.state = 'running';
  for (const button of document.querySelectorAll('button')) button.disabled = true;
  try {
    return await work();
  } finally {
    for (const button of document.querySelectorAll('button')) button.disabled = false;
    busy = false;
    document.body.dataset.state = 'done';
  }
}

function run(id) {
  const scenario = scenarios.find((each) => each.id === id);
  if (!scenario) throw new Error(`No scenario ${id}`);
  return exclusive(() => runScenario(scenario));
}

function runAll() {
  return exclusive(async () => {
    for (const scenario of scenarios) await runScenario(scenario);
    return results;
  });
}

// ---- rendering -------------------------------------------------------------

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function describeExpectation(expected) {
  if (expected === undefined) return '(not a playground origin)';
  return expected === 'blocked' ? 'blocked' : `allowed, ${expected}`;
}

function renderOutcome(row, result) {
  const outcome = row.querySelector('.outcome');
  const details = row.querySelector('.details');
  outcome.replaceChildren();
  details.replaceChildren();
  if (result.pending) {
    outcome.append(element('span', 'badge pending', 'running…'));
    return;
  }
  const label = result.outcome === 'allowed' ? `allowed ${result.status}` : result.outcome;
  outcome.append(element('span', `badge ${result.outcome}`, label));
  if (result.matches !== undefined) {
    outcome.append(
      element('span', result.matches ? 'verdict ok' : 'verdict bad', result.matches ? '✓ as expected' : '✗ unexpected'),
    );
  }

  if (result.outcome === 'allowed') {
    const names = Object.keys(result.headers).sort();
    details.append(
      element(
        'div',
        'line',
        `Readable headers: ${names.map((name) => `${name}: ${result.headers[name]}`).join(' · ')}`,
      ),
    );
    const body = typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
    details.append(element('div', 'line body', `Body: ${body.length > 140 ? `${body.slice(0, 140)}…` : body}`));
  } else if (result.outcome === 'blocked') {
    details.append(element('div', 'line why', `Why: ${result.reason}`));
    details.append(element('div', 'line', `fetch(): ${result.error}`));
  } else {
    details.append(element('div', 'line why', `The playground failed: ${result.error}`));
  }
  for (const message of result.serverLog ?? []) {
    details.append(element('div', 'line server', `Server (CORS_DEBUG): ${message.replace(/^CORS /, '')}`));
  }
  const facts = [];
  if (result.preflights !== undefined) facts.push(`preflights received by the API: ${result.preflights}`);
  if (result.apiUnreachable) facts.push('the API did not answer /stats: is it running?');
  if (facts.length) details.append(element('div', 'line facts', facts.join(' · ')));
  for (const check of result.checks ?? []) {
    details.append(element('div', `line check ${check.ok ? 'ok' : 'bad'}`, `${check.ok ? '✓' : '✗'} ${check.text}`));
  }
}

function updateSummary() {
  const done = Object.values(results);
  const judged = done.filter((result) => result.matches !== undefined);
  const good = judged.filter((result) => result.matches).length;
  document.getElementById('summary').textContent =
    done.length === 0
      ? ''
      : `${done.length}/${scenarios.length} run · ${good}/${judged.length} as expected from this origin`;
}

function renderPage() {
  const roleText = {
    app: 'our front-end: listed in CORS_ORIGINS (the module defaults)',
    partner: 'a partner site: not in CORS_ORIGINS, listed in PARTNER_ORIGINS (the "partners" policy)',
    other: 'an origin the sample does not know: expectations are not checked',
  }[role];
  const where = document.getElementById('where');
  where.replaceChildren(
    element('span', '', 'This page: '),
    element('code', '', location.origin),
    element('span', '', ` — ${roleText}. API: `),
    element('code', '', api),
    element('span', '', '. '),
  );
  const other = role === 'app' ? config.partnerOrigin : config.appOrigin;
  const link = element('a', '', `Open the same page from ${other}`);
  link.href = `${other}/`;
  where.append(link);

  const tbody = document.querySelector('#scenarios tbody');
  for (const scenario of scenarios) {
    const row = element('tr');
    row.dataset.id = scenario.id;
    row.dataset.state = 'idle';
    const name = element('td', 'scenario');
    const button = element('button', 'run', 'Run');
    button.dataset.scenario = scenario.id;
    button.addEventListener('click', () => run(scenario.id));
    name.append(button, element('strong', '', scenario.title));
    name.append(element('div', 'request', scenario.request));
    name.append(element('div', 'feature', scenario.feature));
    row.append(name, element('td', 'expected', describeExpectation(expectation(scenario))));
    row.append(element('td', 'outcome'), element('td', 'details'));
    tbody.append(row);
  }
  document.getElementById('run-all').addEventListener('click', () => runAll());
  document.getElementById('clear').addEventListener('click', () => {
    for (const key of Object.keys(results)) delete results[key];
    for (const row of tbody.querySelectorAll('tr')) {
      row.dataset.state = 'idle';
      row.querySelector('.outcome').replaceChildren();
      row.querySelector('.details').replaceChildren();
    }
    updateSummary();
  });
  document.body.dataset.state = 'ready';
}

window.playground = { role, api, scenarios, results, run, runAll };
renderPage();
