/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and tells where the
 * nestjs-cors code (the compiled `dist/`) spends its time.
 */
import { readFileSync } from 'node:fs';

/** `libraryPrefix`: the file URL of the compiled library's directory, with a trailing slash. */
function frameOf(node, libraryPrefix) {
  const { functionName, url, lineNumber } = node.callFrame;
  const library = url.startsWith(libraryPrefix);
  const file = url.replace(/^file:\/\//, '');
  const short = library
    ? `dist/${url.slice(libraryPrefix.length)}`
    : file.includes('/node_modules/')
      ? file.slice(file.lastIndexOf('/node_modules/') + '/node_modules/'.length)
      : file;
  return {
    key: `${functionName}|${url}|${lineNumber}`,
    name: functionName || '(anonymous)',
    location: short ? `${short}:${lineNumber + 1}` : '(native)',
    library,
    // Frameworks and app code: the library's work stops where they start
    // (the hook calls next(), and the rest of the request runs on its stack).
    boundary: !library && url !== '' && !url.startsWith('node:') && !url.includes('/node_modules/find-my-way/'),
    // Nest's guard and interceptor pipelines, and rxjs: what a global guard and interceptor switch on.
    pipeline: /\/node_modules\/(rxjs\/|@nestjs\/core\/(guards|interceptors)\/)/.test(url),
  };
}

function addTo(map, frame, micros) {
  const entry = map.get(frame.key) ?? { name: frame.name, location: frame.location, micros: 0 };
  entry.micros += micros;
  map.set(frame.key, entry);
}

function top(map, total, count) {
  return [...map.values()]
    .sort((a, b) => b.micros - a.micros)
    .slice(0, count)
    .map((entry) => ({ ...entry, share: entry.micros / total }));
}

/**
 * Analyses the samples taken between `fromMicros` and `toMicros` (V8's
 * monotonic clock, the one `process.hrtime` reads): every sample when the
 * window matches none.
 *
 * A sample is the library's when, walking up from its leaf, a dist/ frame
 * comes before any framework or app frame (Node internals and find-my-way
 * are walked through): what runs after the hook calls `next()` is not.
 *
 * - `librarySelf`: self time of functions in dist/;
 * - `underLibrary`: self time of every function in the library's samples
 *   (with the Node internals and find-my-way code it calls);
 * - `entryPoints`: the library's samples by outermost dist/ function.
 */
export function analyzeProfile(file, libraryPrefix, fromMicros, toMicros, count = 12) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parents.set(child, node.id);
  }
  const frames = new Map(profile.nodes.map((node) => [node.id, frameOf(node, libraryPrefix)]));

  let time = profile.startTime;
  const stamps = profile.timeDeltas.map((delta) => (time += delta));
  const inWindow = (stamp) => fromMicros === undefined || (stamp >= fromMicros && stamp <= toMicros);
  let windowed = stamps.some(inWindow);

  const self = new Map();
  const librarySelf = new Map();
  const underLibrary = new Map();
  const entryPoints = new Map();
  let total = 0;
  let library = 0;
  let pipeline = 0;
  let idle = 0;
  let nextTick = 0;
  profile.samples.forEach((id, index) => {
    if (windowed && !inWindow(stamps[index])) return;
    const micros = profile.timeDeltas[index + 1] ?? profile.timeDeltas[index];
    const frame = frames.get(id);
    total += micros;
    if (frame.name === '(idle)') idle += micros;
    if (frame.name === 'nextTick' && frame.location.startsWith('node:internal/process/task_queues')) nextTick += micros;
    addTo(self, frame, micros);
    if (frame.library) addTo(librarySelf, frame, micros);
    let outermost;
    for (let at = id; at !== undefined; at = parents.get(at)) {
      const each = frames.get(at);
      if (each.library) outermost = each;
      else if (each.boundary) break;
    }
    for (let at = id; at !== undefined; at = parents.get(at)) {
      if (frames.get(at).pipeline) {
        pipeline += micros;
        break;
      }
    }
    if (outermost) {
      library += micros;
      addTo(underLibrary, frame, micros);
      addTo(entryPoints, outermost, micros);
    }
  });
  windowed = windowed && total > 0;
  return {
    windowed,
    totalMillis: total / 1000,
    busyShare: (total - idle) / total,
    libraryShare: library / total,
    pipelineShare: pipeline / total,
    /** Self time of Node's `process.nextTick` (bench/findings.md, section 1: the slow state is visible here). */
    nextTickShare: nextTick / total,
    librarySelf: top(librarySelf, total, count),
    underLibrary: top(underLibrary, total, count),
    entryPoints: top(entryPoints, total, count),
    overall: top(self, total, count),
    nodeCount: nodes.size,
  };
}
