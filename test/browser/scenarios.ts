/**
 * Cross-origin fetches against the sample app (sample/), each with the
 * verdict real Chromium reaches. Shared data:
 *
 * - the browser suite (fetch-scenarios.browser.ts) sends each fetch from a
 *   page at the scenario's origin in Debian's Chromium and asserts this
 *   verdict; playground.browser.ts checks that the playground's own buttons
 *   (sample/public/playground.js) end as the `playground` rows say;
 * - the Jest suite (test/testing/chromium-verdicts.e2e-spec.ts) replays each
 *   fetch with the testing kit's `corsFetch()` and asserts the same verdict.
 *
 * So the kit's model of the browser is held to Chromium on every row.
 * Origins: 'app' is the playground page at http://localhost:PAGE_PORT (in
 * CORS_ORIGINS), 'partner' the same page at http://127.0.0.1:PAGE_PORT (in
 * PARTNER_ORIGINS only). Values never contain anything run-specific, so both
 * suites send the same bytes.
 */

/** Which playground page the fetch runs in. */
export type ScenarioPage = 'app' | 'partner';

/** The `fetch()` init, restricted to what both a page and `corsFetch()` take. */
export interface ScenarioInit {
  readonly method?: string;
  /** `[name, value]` pairs, so that a name may repeat. */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly credentials?: 'omit' | 'same-origin' | 'include';
  readonly body?: string;
}

/** What Chromium concludes, as far as a page and the server can observe it. */
export type ChromiumVerdict =
  | {
      readonly readable: true;
      readonly status: number;
      /** Whether the server received a preflight (OPTIONS) for the path. */
      readonly preflight: boolean;
      /** The names `response.headers` lists, sorted. */
      readonly headers: readonly string[];
    }
  | {
      readonly readable: false;
      /** From Chromium's console message: it names the preflight when that is what failed. */
      readonly stage: 'preflight' | 'response';
      readonly preflight: boolean;
    };

export interface BrowserScenario {
  /** Unique among the scenarios. */
  readonly id: string;
  readonly page: ScenarioPage;
  /** The playground scenario (button) this row is the first request of, if any. */
  readonly playground?: string;
  readonly path: string;
  readonly init: ScenarioInit;
  readonly chromium: ChromiumVerdict;
}

/** The CORS-safelisted response headers the sample's JSON answers carry. */
const JSON_HEADERS = ['content-length', 'content-type'];
const JSON_TYPE = ['Content-Type', 'application/json'] as const;

/** An `Accept` value of exactly `bytes` bytes. */
const acceptOf = (bytes: number) => `text/html;q=${'9'.repeat(bytes - 'text/html;q='.length)}`;

const readable = (status: number, preflight: boolean, extra: readonly string[] = []): ChromiumVerdict => ({
  readable: true,
  status,
  preflight,
  headers: [...JSON_HEADERS, ...extra].sort(),
});
const blockedAtPreflight: ChromiumVerdict = { readable: false, stage: 'preflight', preflight: true };
const blockedAtResponse: ChromiumVerdict = { readable: false, stage: 'response', preflight: false };

/** One row per page for a playground scenario. */
function fromBothPages(
  playground: string,
  path: string,
  init: ScenarioInit,
  verdicts: Record<ScenarioPage, ChromiumVerdict>,
): BrowserScenario[] {
  return (['app', 'partner'] as const).map((page) => ({
    id: `${playground} from ${page}`,
    page,
    playground,
    path,
    init,
    chromium: verdicts[page],
  }));
}

/** Probes of the Fetch request rules: each row is sent from the app page to GET /articles (any header allowed). */
function probe(id: string, init: ScenarioInit, verdict: ChromiumVerdict, path = '/articles'): BrowserScenario {
  return { id, page: 'app', path, init, chromium: verdict };
}

const documentPut: ScenarioInit = {
  method: 'PUT',
  headers: [JSON_TYPE, ['X-Request-Id', 'req-fixed']],
  body: '{"title":"Renamed"}',
};
const draftPut: ScenarioInit = {
  method: 'PUT',
  headers: [JSON_TYPE, ['X-Draft-Token', 'autosave']],
  body: '{"text":"Hello"}',
};

export const BROWSER_SCENARIOS: readonly BrowserScenario[] = [
  // The playground's scenarios, in its order (each one's first request).
  ...fromBothPages('simple-get', '/articles', {}, { app: readable(200, false), partner: blockedAtResponse }),
  ...fromBothPages(
    'credentialed-post',
    '/articles',
    { method: 'POST', credentials: 'include', headers: [JSON_TYPE], body: '{"title":"Written from the playground"}' },
    { app: readable(201, true), partner: blockedAtPreflight },
  ),
  ...fromBothPages('preflighted-put', '/documents/42', documentPut, {
    app: readable(200, true, ['x-request-id']),
    partner: blockedAtPreflight,
  }),
  ...fromBothPages(
    'preflighted-delete',
    '/documents/42',
    {
      method: 'DELETE',
      headers: [
        ['X-Request-Id', 'req-fixed'],
        ['X-Delete-Reason', 'duplicate'],
      ],
    },
    { app: readable(200, true, ['x-request-id']), partner: blockedAtPreflight },
  ),
  ...fromBothPages(
    'header-refused',
    '/documents/42',
    { method: 'PUT', headers: [['X-Delete-Reason', 'typo']] },
    { app: blockedAtPreflight, partner: blockedAtPreflight },
  ),
  ...fromBothPages(
    'exposed-header',
    '/reports/latest',
    {},
    { app: readable(200, false, ['x-report-version']), partner: blockedAtResponse },
  ),
  ...fromBothPages('auth-401', '/account/profile', {}, { app: readable(401, false), partner: blockedAtResponse }),
  ...fromBothPages(
    'auth-ok',
    '/account/profile',
    { headers: [['Authorization', 'Bearer demo']] },
    { app: readable(200, true), partner: blockedAtPreflight },
  ),
  ...fromBothPages('disabled', '/internal/health', {}, { app: blockedAtResponse, partner: blockedAtResponse }),
  ...fromBothPages('re-enabled', '/internal/version', {}, { app: readable(200, false), partner: blockedAtResponse }),
  ...fromBothPages(
    'named-policy',
    '/partners/catalog',
    {},
    { app: readable(200, false), partner: readable(200, false) },
  ),
  ...fromBothPages('route-origin', '/ops/metrics', {}, { app: blockedAtResponse, partner: readable(200, false) }),
  ...fromBothPages('wildcard', '/public/status', {}, { app: readable(200, false), partner: readable(200, false) }),
  ...fromBothPages(
    'wildcard-credentials',
    '/public/status',
    { credentials: 'include' },
    { app: blockedAtResponse, partner: blockedAtResponse },
  ),
  ...fromBothPages('max-age', '/drafts/7', draftPut, { app: readable(200, true), partner: blockedAtPreflight }),
  ...fromBothPages('max-age-0', '/drafts/7/uncached', draftPut, {
    app: readable(200, true),
    partner: blockedAtPreflight,
  }),
  ...fromBothPages(
    'reject-disallowed',
    '/newsletter/subscriptions',
    { method: 'POST', headers: [['Content-Type', 'text/plain']], body: 'me@example.com' },
    { app: readable(201, false), partner: blockedAtResponse },
  ),
  ...fromBothPages('not-found', '/no-such-route', {}, { app: readable(404, false), partner: blockedAtResponse }),

  // The Fetch request rules, one at a time.
  probe('credentials alone need no preflight', { credentials: 'include' }, readable(200, false)),
  probe('Accept of 128 bytes is safelisted', { headers: [['Accept', acceptOf(128)]] }, readable(200, false)),
  probe('Accept of 129 bytes is not', { headers: [['Accept', acceptOf(129)]] }, readable(200, true)),
  // Chromium combines a repeated name into one line (here of 202 bytes) and judges that line.
  probe(
    'two Accept lines of 100 bytes are one of 202',
    {
      headers: [
        ['Accept', acceptOf(100)],
        ['Accept', acceptOf(100)],
      ],
    },
    readable(200, true),
  ),
  probe('a single bytes range', { headers: [['Range', 'bytes=0-10']] }, readable(200, false)),
  probe('Accept with a CORS-unsafe byte', { headers: [['Accept', 'application/json (v2)']] }, readable(200, true)),
  probe(
    'Accept-Language of letters and ;=,.-',
    { headers: [['Accept-Language', 'de-DE, en;q=0.5']] },
    readable(200, false),
  ),
  probe('Accept-Language with @', { headers: [['Accept-Language', 'de@x']] }, readable(200, true)),
  probe('Content-Language with _', { headers: [['Content-Language', 'de_DE']] }, readable(200, true)),
  probe(
    'text/plain with a charset is a simple POST',
    { method: 'POST', headers: [['Content-Type', 'text/plain;charset=UTF-8']], body: 'x' },
    readable(201, false),
  ),
  probe(
    'a quoted charset makes Content-Type unsafe',
    { method: 'POST', headers: [['Content-Type', 'text/plain; charset="utf-8"']], body: 'x' },
    readable(201, true),
  ),
  probe(
    'a string body alone is text/plain',
    { method: 'POST', body: '{"title":"implicit text/plain"}' },
    readable(201, false),
  ),
  probe('a custom header name', { headers: [['X-Trace', '1']] }, readable(200, true)),
  probe(
    'put is normalized to PUT',
    { ...documentPut, method: 'put' },
    readable(200, true, ['x-request-id']),
    '/documents/42',
  ),
  probe('patch is not normalized, and refused', { method: 'patch', body: '{}' }, blockedAtPreflight, '/documents/42'),
];
