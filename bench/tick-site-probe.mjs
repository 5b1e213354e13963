/**
 * Preloaded (`--import`) into a bench server by bench/pretenure-probe.mjs (with
 * --allow-natives-syntax): reports, once, when V8 starts allocating Node's
 * nextTick tick objects in the old generation (bench/findings.md, section 7):
 * writes the process uptime in ms to `<tmpdir>/nestjs-cors-tick-site-<pid>`.
 */
import { createHook } from 'node:async_hooks';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function freshTickObject() {
  let tick;
  const hook = createHook({
    init(_id, type, _trigger, resource) {
      if (type === 'TickObject' && tick === undefined) tick = resource;
    },
  });
  hook.enable();
  process.nextTick(() => {});
  hook.disable();
  return tick;
}

const isYoung = new Function('object', 'return %InYoungGeneration(object)');
const timer = setInterval(() => {
  if (isYoung(freshTickObject())) return;
  writeFileSync(join(tmpdir(), `nestjs-cors-tick-site-${process.pid}`), String(Math.round(process.uptime() * 1000)));
  clearInterval(timer);
}, 100);
timer.unref();
