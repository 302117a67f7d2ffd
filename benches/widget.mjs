// Keystroke-to-highlight latency of the pre-send widget in headless Chromium, for drafts of 20,
// 200 and 2,000 characters. Each keystroke is a real key event sent through the DevTools
// protocol (playwright-core); the widget records, for each input event, the time from the
// event's timestamp to the moment its marks and panel are in the DOM and laid out (it reads the
// overlay's layout, forcing style and layout; painting is the browser's next frame).
// Run after scripts/build-wasm.sh: node benches/widget.mjs
import { chromium } from 'playwright-core';
import { startServer } from '../www/serve.mjs';

const KEYSTROKES = Number(process.env.KEYSTROKES ?? 300);
const ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const { server, url } = await startServer(0);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ARGS });
const page = await browser.newPage();
await page.goto(`${url}/www/demo/?autostart=0&log=bench`);
await page.waitForSelector('body[data-ready="true"]');

// A realistic draft: agent sentences with a few problems in them, repeated to length.
const sentence = '亲，您好，这个我不知道哦，您自己看一下详情页吧！！已经为您登记了，会尽快处理的。';
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
const results = [];
for (const size of [20, 200, 2000]) {
  const base = sentence.repeat(Math.ceil(size / sentence.length)).slice(0, size - 1);
  await page.fill('#input', base);
  await page.focus('#input');
  await page.evaluate(() => {
    const el = document.getElementById('input');
    el.setSelectionRange(el.value.length, el.value.length);
    window.widget.latencies.length = 0;
  });
  for (let i = 0; i < KEYSTROKES / 2; i++) {
    await page.keyboard.type('好'); // size characters
    await page.keyboard.press('Backspace'); // size - 1
  }
  const samples = await page.evaluate(() => window.widget.latencies.slice());
  samples.sort((a, b) => a - b);
  const row = {
    size,
    keystrokes: samples.length,
    median: percentile(samples, 0.5),
    p90: percentile(samples, 0.9),
    p99: percentile(samples, 0.99),
    max: samples[samples.length - 1],
  };
  results.push(row);
  console.log(
    `${String(size).padStart(5)} chars: ${row.keystrokes} keystrokes, median ${row.median.toFixed(2)} ms, p90 ${row.p90.toFixed(2)} ms, p99 ${row.p99.toFixed(2)} ms, max ${row.max.toFixed(2)} ms${size === 200 ? ' (budget p99 ≤ 4 ms)' : ''}`,
  );
}
console.log(`chromium ${browser.version()}`);
await browser.close();
server.close();
