// The WebAssembly package where users run it: a plain module script, a bundle, a Web Worker and a
// Manifest V3 extension in headless Chromium, and a Cloudflare-style worker in workerd
// (miniflare). Node is tests/js/api.test.mjs. Run after scripts/build-wasm.sh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';

const root = fileURLToPath(new URL('../..', import.meta.url));
const args = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html; charset=utf-8' };
let server, base, browser;

before(async () => {
  server = createServer((req, res) => {
    try {
      const path = join(root, decodeURIComponent(req.url.split('?')[0]));
      const body = readFileSync(path);
      res.writeHead(200, { 'Content-Type': types[extname(path)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args });
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function outputOf(path) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base + path);
  await page.waitForFunction(() => document.getElementById('out').textContent !== '…', null, { timeout: 20000 });
  const out = JSON.parse(await page.textContent('#out'));
  await page.close();
  assert.deepEqual(errors, []);
  return out;
}

test('a plain <script type="module">', async () => {
  const out = await outputOf('/www/examples/module.html');
  assert.deepEqual(out.hints[0], ['zh/forbidden/dont-know', '不知道']);
  assert.ok(out.hints.some(([rule]) => rule === 'zh/punctuation/exclamation-run'));
});

test('a module Web Worker', async () => {
  const out = await outputOf('/www/examples/worker.html');
  const rules = out.hints.map(([rule]) => rule);
  assert.ok(rules.includes('zh/diversion/wechat') && rules.includes('zh/insult/idiot'), JSON.stringify(out));
  assert.equal(out.score, 0);
});

test('a bundler (esbuild), with no eval in the output', async () => {
  const outdir = join(root, 'target/bundle');
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: [join(root, 'www/examples/bundle-entry.js')],
    bundle: true, format: 'esm', outfile: join(outdir, 'app.js'), logLevel: 'silent',
  });
  cpSync(join(root, 'pkg/check/zhijian_bg.wasm'), join(outdir, 'zhijian_bg.wasm'));
  const code = readFileSync(join(outdir, 'app.js'), 'utf8');
  assert.ok(!/\beval\(|new Function\(/.test(code), 'the bundle must run under a CSP without unsafe-eval');
  const out = await outputOf('/www/examples/bundle.html');
  assert.ok(out.hints.includes('zh/rhetorical/nandao'), JSON.stringify(out));
});

test('a Manifest V3 extension service worker (CSP: wasm-unsafe-eval only)', async () => {
  const ext = join(root, 'target/extension');
  rmSync(ext, { recursive: true, force: true });
  cpSync(join(root, 'www/extension'), ext, { recursive: true });
  cpSync(join(root, 'pkg/check'), join(ext, 'pkg'), { recursive: true });
  const profile = join(root, 'target/extension-profile');
  rmSync(profile, { recursive: true, force: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [...args, `--disable-extensions-except=${ext}`, `--load-extension=${ext}`],
  });
  try {
    const worker = context.serviceWorkers()[0] ?? await context.waitForEvent('serviceworker', { timeout: 20000 });
    const out = await worker.evaluate(() => self.checkDraft('加我微信，私下转账更便宜'));
    assert.ok(out.hints.includes('zh/diversion/wechat'), JSON.stringify(out));
    assert.equal(out.score, 0);
  } finally {
    await context.close();
  }
});

test('a Cloudflare-style worker in workerd (miniflare)', async () => {
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(root, 'www/edge/worker.js'),
    modulesRoot: root,
    modulesRules: [
      { type: 'ESModule', include: ['**/*.js'] },
      { type: 'CompiledWasm', include: ['**/*.wasm'] },
    ],
    compatibilityDate: '2025-01-01',
  });
  try {
    const response = await mf.dispatchFetch('http://localhost/', { method: 'POST', body: '难道你没看详情页吗？？' });
    const report = await response.json();
    assert.equal(response.status, 200);
    assert.ok(report.hints.some((h) => h.rule === 'zh/rhetorical/nandao'), JSON.stringify(report.hints));
  } finally {
    await mf.dispose();
  }
});
