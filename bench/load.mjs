/**
 * Servers in child processes, load from this process with autocannon.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { SERVER_NODE_OPTIONS } from './scenarios.mjs';

const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url));
const BOOT_TIMEOUT_MS = 60_000;

/** Concurrent connections autocannon keeps open (no pipelining, as browsers do). */
export const CONNECTIONS = 10;

/**
 * Starts one variant in its own process and waits for its port.
 * `extraNodeOptions` (e.g. `--cpu-prof`) go to that process's node.
 */
export function startServer(adapter, variant, routes, extraNodeOptions = [], flavour = 'hello') {
  const child = fork(SERVER, [adapter, variant, String(routes), flavour], {
    execArgv: [...SERVER_NODE_OPTIONS, ...extraNodeOptions],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${adapter}/${variant}/${routes}: no port after 60 s`)),
      BOOT_TIMEOUT_MS,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${adapter}/${variant}/${routes}: server exited with ${code} before listening`));
    });
    child.on('message', (message) => {
      if (message?.type !== 'ready') return;
      clearTimeout(timer);
      resolve({
        adapter,
        variant,
        routes,
        port: message.port,
        pid: child.pid,
        /** The garbage collections the server has seen so far (counts by kind, total ms). */
        gcStats() {
          return new Promise((resolveStats) => {
            const listener = (reply) => {
              if (reply?.type !== 'gc') return;
              child.off('message', listener);
              resolveStats(reply.gc);
            };
            child.on('message', listener);
            child.send({ type: 'gc' });
          });
        },
        /** Asks the server to exit and waits until it has (profiles are written by then). */
        async stop() {
          if (child.exitCode === null && child.signalCode === null) {
            child.send({ type: 'stop' });
          }
          const timeout = setTimeout(() => child.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(timeout);
        },
      });
    });
  });
}

/** One request with node:http: status and CORS-related response headers, to check each variant answers as expected. */
export function probe(port, { method, path, headers }) {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      res.resume();
      res.on('end', () => {
        const cors = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (name.startsWith('access-control-') || name === 'vary') cors[name] = value;
        }
        resolve({ status: res.statusCode, headers: cors });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Nanoseconds the main thread of process `pid` has spent on a CPU (Linux
 * schedstat: the event loop's thread, where a Node server's requests run).
 */
export function mainThreadCpuNanos(pid) {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return NaN;
  }
}

/**
 * Loads the server for `seconds` with `requests` (one request, or several
 * that each connection sends in turn). Returns completed requests per second
 * and, given the server's `pid`, its main thread's CPU time per request.
 */
export async function runLoad(port, requests, seconds, pid, server, { latency = false } = {}) {
  const gcBefore = server ? await server.gcStats() : undefined;
  const cpuBefore = pid === undefined ? NaN : mainThreadCpuNanos(pid);
  const result = await autocannonRun(port, requests, seconds, latency);
  const cpuNanos = pid === undefined ? NaN : mainThreadCpuNanos(pid) - cpuBefore;
  const gcAfter = server ? await server.gcStats() : undefined;
  const per100k = (kind) => ((gcAfter[kind] - gcBefore[kind]) * 100_000) / result.requests;
  return {
    ...result,
    gc: gcBefore && {
      minor: per100k('minor'),
      major: per100k('major') + per100k('incremental'),
      millis: per100k('millis'),
    },
    cpuMicrosPerRequest: cpuNanos / 1000 / result.requests,
    cpuShare: cpuNanos / 1e9 / result.seconds,
  };
}

function autocannonRun(port, requests, seconds, latency) {
  const list = Array.isArray(requests) ? requests : [requests];
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections: CONNECTIONS,
        pipelining: 1,
        duration: seconds,
        sampleInt: 100,
        skipAggregateResult: !latency,
        requests: list.map(({ method, path, headers }) => ({ method, path, headers })),
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        const elapsed = (result.finish.getTime() - result.start.getTime()) / 1000;
        // The aggregated result (latency wanted) carries the count in `requests.total`.
        const completed = result.totalCompletedRequests ?? result.requests.total;
        resolve({
          rps: completed / elapsed,
          latencyP50: result.latency?.p50,
          latencyP99: result.latency?.p99,
          seconds: elapsed,
          requests: completed,
          errors: result.errors + result.timeouts,
          statuses: {
            '2xx': result['2xx'],
            '3xx': result['3xx'],
            '4xx': result['4xx'],
            '5xx': result['5xx'],
          },
        });
      },
    );
  });
}
