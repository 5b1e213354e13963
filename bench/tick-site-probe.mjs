/**
 * Preloaded (`--import`) into a bench server by bench/pretenure-probe.mjs (with
 * --allow-natives-syntax): reports, once, when V8 starts allocating Node's
 * nextTick tick objects, or the arrays that hold a tick's arguments, in the old
 * generation (bench/findings.md, sections 7 and 9): writes the process uptime
 * in ms and which of them (`tick`, `args1` … `args4`) to
 * `<tmpdir>/nestjs-cors-tick-site-<pid>`.
 */
import { createHook } from 'node:async_hooks';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A tick object just built by `process.nextTick(noop, ...args)`. */
function freshTickObject(...args) {
  let tick;
  const hook = createHook({
    init(_id, type, _trigger, resource) {
      if (type === 'TickObject' && tick === undefined) tick = resource;
    },
  });
  hook.enable();
  process.nextTick(() => {}, ...args);
  hook.disable();
  return tick;
}

const isYoung = new Function('object', 'return %InYoungGeneration(object)');
/** What is born old now: the tick object, or the arguments array of a tick with 1–4 arguments. */
function bornOld() {
  const old = [];
  if (!isYoung(freshTickObject())) old.push('tick');
  for (let count = 1; count <= 4; count++) {
    if (!isYoung(freshTickObject(...Array.from({ length: count }, (_, i) => i)).args)) old.push(`args${count}`);
  }
  return old;
}

const timer = setInterval(() => {
  const old = bornOld();
  if (old.length === 0) return;
  writeFileSync(
    join(tmpdir(), `nestjs-cors-tick-site-${process.pid}`),
    `${Math.round(process.uptime() * 1000)} ${old.join(',')}`,
  );
  clearInterval(timer);
}, 100);
timer.unref();
