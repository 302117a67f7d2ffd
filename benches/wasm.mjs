// The WebAssembly side of the benchmark: start-up (instantiation + first check) and per-message
// latency from JavaScript, string crossing included, in Node and in headless Chromium, on the
// corpus of the native benchmark (target/bench-corpus.txt, written by `cargo bench --bench check`).
// Run after scripts/build-wasm.sh:  node benches/wasm.mjs
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const corpus = readFileSync(join(root, 'target/bench-corpus.txt'), 'utf8').split('\n').filter(Boolean);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.round((xs.length - 1) * p))];

// Start-up in a fresh Node process each time: load the package (which compiles and instantiates
// the WebAssembly), build a Checker with both default packs (each is loaded by the first message
// of its language), check one Chinese message. pkg/check is the message checker the agent's page
// loads (an ES module, initialised from the bytes as a page or worker does); pkg/node is the full
// package (CommonJS: require instantiates it).
// Each runs as a program file, as a user's program would load the package: an `-e` script or a
// dynamic `import('node:fs')` would charge Node's module loader starting up (about 3 ms) and the
// import (about 1.5 ms) to the package.
// The script for one fresh process: `head` before the clock starts, `load` brings `Checker` into
// scope; then the timings.
const startupScript = (head, load) => `${head}
const t0 = performance.now();
${load}
const t1 = performance.now();
const c = new Checker();
const t2 = performance.now();
c.check('亲，这个我不知道哦');
const t3 = performance.now();
// Not part of start-up: the first message that needs a pattern compiles it (here two).
c.check('您好，电话是13812345678');
const t4 = performance.now();
// And what a page does when idle: load the English pack, compile every other pattern.
c.prepare();
const t5 = performance.now();
console.log(JSON.stringify([t1 - t0, t2 - t1, t3 - t2, t3 - t0, t4 - t3, t5 - t4]));`;
const startupScripts = {
  'pkg/check': ['startup-check.mjs', startupScript(`import { readFileSync } from 'node:fs';`, `
const { initSync, Checker } = await import(${JSON.stringify(pathToFileURL(join(root, 'pkg/check/zhijian.js')).href)});
initSync({ module: readFileSync(${JSON.stringify(join(root, 'pkg/check/zhijian_bg.wasm'))}) });`)],
  'pkg/node': ['startup-node.cjs', startupScript('', `
const { Checker } = require(${JSON.stringify(join(root, 'pkg/node/zhijian.js'))});`)],
};
mkdirSync(join(root, 'target/wasm-bench'), { recursive: true });
for (const [pkg, [file, script]] of Object.entries(startupScripts)) {
  const path = join(root, 'target/wasm-bench', file);
  writeFileSync(path, script);
  const runs = Array.from({ length: 21 }, () => JSON.parse(execFileSync(process.execPath, [path]).toString()));
  const col = (i) => runs.map((r) => r[i]);
  console.log(`node start-up, ${pkg} (median of ${runs.length} fresh processes): load + instantiate ${median(col(0)).toFixed(1)} ms, ` +
    `new Checker() ${median(col(1)).toFixed(1)} ms, first check ${median(col(2)).toFixed(2)} ms, total ${median(col(3)).toFixed(1)} ms ` +
    `(runs ${Math.min(...col(3)).toFixed(1)}–${Math.max(...col(3)).toFixed(1)}); then the first message that ` +
    `compiles patterns ${median(col(4)).toFixed(1)} ms, prepare() for the rest ${median(col(5)).toFixed(1)} ms`);
}

function latencyLoop(Checker, messages) {
  const checker = new Checker();
  // Warm up for a second, at least one pass (as the native benchmark does: JIT tiers, caches,
  // and the shared host, which runs the first moments after a pause slow).
  const warm = performance.now();
  do for (const m of messages) checker.check(m); while (performance.now() - warm < 1000);
  const times = [];
  for (let pass = 0; pass < 3; pass++) {
    for (const m of messages) {
      const t = performance.now();
      checker.check(m);
      times.push(performance.now() - t);
    }
  }
  const t = performance.now();
  for (const m of messages) checker.check(m);
  const batch = performance.now() - t;
  return { times, batch };
}

const report = (where, { times, batch }) => console.log(
  `${where} check from JS (${corpus.length} messages, mean ${(corpus.join('').length / corpus.length).toFixed(1)} UTF-16 units): ` +
  `median ${(median(times) * 1000).toFixed(1)} µs, p99 ${(pct(times, 0.99) * 1000).toFixed(1)} µs, ` +
  `batch ${(batch * 1000 / corpus.length).toFixed(1)} µs/message`);
const check = await import(pathToFileURL(join(root, 'pkg/check/zhijian.js')).href);
check.initSync({ module: readFileSync(join(root, 'pkg/check/zhijian_bg.wasm')) });
report('node, pkg/check,', latencyLoop(check.Checker, corpus));
const { createRequire } = await import('node:module');
const full = createRequire(import.meta.url)(join(root, 'pkg/node/zhijian.js'));
report('node, pkg/node,', latencyLoop(full.Checker, corpus));

// The same loop in headless Chromium, from a page served on localhost. performance.now() is
// coarsened in browsers (5 µs steps without cross-origin isolation), so the page is served
// cross-origin isolated to get fine timers.
const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
const server = createServer((req, res) => {
  const path = req.url === '/' ? null : join(root, decodeURIComponent(req.url.split('?')[0]));
  const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
  if (!path) {
    res.writeHead(200, { ...headers, 'Content-Type': 'text/html' });
    res.end('<!doctype html><meta charset="utf-8"><title>bench</title>');
    return;
  }
  try {
    const body = readFileSync(path);
    res.writeHead(200, { ...headers, 'Content-Type': types[extname(path)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
try {
  const page = await browser.newPage();
  await page.goto(url);
  const result = await page.evaluate(async ({ messages, loop }) => {
    const t0 = performance.now();
    const mod = await import('/pkg/check/zhijian.js');
    await mod.default();
    const c = new mod.Checker();
    c.check('亲，这个我不知道哦');
    const startup = performance.now() - t0;
    const { times, batch } = new Function('return ' + loop)()(mod.Checker, messages);
    return { startup, times, batch, isolated: self.crossOriginIsolated };
  }, { messages: corpus, loop: latencyLoop.toString() });
  console.log(`chromium start-up, pkg/check (fetch + compile + instantiate + new Checker() + first check): ${result.startup.toFixed(1)} ms; cross-origin isolated: ${result.isolated}`);
  report('chromium, pkg/check,', result);
} finally {
  await browser.close();
  server.close();
}
