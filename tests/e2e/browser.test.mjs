// End to end in headless Chromium (playwright-core, Debian's chromium): the demo chat page with
// the widget, the score log in IndexedDB and its export through `zhijian review`, and the
// practice sandbox. Screenshots go to target/e2e/.
// Run after `cargo build --release` and scripts/build-wasm.sh: node --test tests/e2e/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { startServer } from '../../www/serve.mjs';

const root = new URL('../../', import.meta.url).pathname;
const shots = `${root}target/e2e`;
mkdirSync(shots, { recursive: true });
const ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

let browser;
let server;
let base;

before(async () => {
  ({ server, url: base } = await startServer(0));
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ARGS });
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function demoPage(context, query = '') {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${base}/www/demo/?${query}`);
  await page.waitForSelector('body[data-ready="true"]');
  page.errors = errors;
  return page;
}

const panel = (page) => page.locator('[data-zhijian-panel]');

test('a rude reply is marked on the right characters, and a suggestion fixes it', async () => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
  const page = await demoPage(context, 'log=e2e-hints');
  await page.click('#input');
  await page.keyboard.type('这个我不知道，你自己去看详情页');
  const hint = panel(page).locator('li[data-rule="zh/forbidden/dont-know"]');
  await hint.waitFor();
  // The overlay marks exactly 不知道, over the textarea.
  const mark = page.locator('[data-zhijian-overlay] mark[data-rule="zh/forbidden/dont-know"]');
  assert.equal(await mark.textContent(), '不知道');
  const markBox = await mark.boundingBox();
  const inputBox = await page.locator('#input').boundingBox();
  assert.ok(markBox.x >= inputBox.x && markBox.x + markBox.width <= inputBox.x + inputBox.width, 'the mark lies inside the textarea');
  assert.ok(markBox.y >= inputBox.y && markBox.y + markBox.height <= inputBox.y + inputBox.height);
  assert.match(await panel(page).locator('[data-role="badge"]').textContent(), /^\d+ 分$/);
  await page.screenshot({ path: `${shots}/1-hint.png` });

  await hint.locator('button.suggest').first().click();
  const value = await page.inputValue('#input');
  assert.ok(!value.includes('不知道'), value);
  assert.ok(value.includes('我帮您确认一下'), value);
  assert.equal(await panel(page).locator('li[data-rule="zh/forbidden/dont-know"]').count(), 0);
  await page.screenshot({ path: `${shots}/2-fixed.png` });
  // Once the page is idle the widget compiles the patterns, so that the first phone number
  // typed does not wait for the regex compiler.
  await page.waitForFunction(() => window.widget.prepared > 10);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('an upset customer and a draft without apology: the widget says so; the slow-reply clock runs', async () => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
  const page = await demoPage(context, 'log=e2e-context');
  await page.click('#next-customer'); // 都一个星期了，什么态度！再不发货我就投诉了
  await page.click('#input');
  await page.keyboard.type('今天下午发货');
  const context1 = panel(page).locator('[data-role="context"]');
  await context1.waitFor({ state: 'visible' });
  assert.match(await context1.textContent(), /致歉|安抚/);
  assert.match(await panel(page).locator('[data-role="timer"]').textContent(), /距慢响应线（100 秒）还有 \d+ 秒/);
  await page.screenshot({ path: `${shots}/3-upset-customer.png` });
  await page.fill('#input', '');
  await page.keyboard.type('非常抱歉让您久等了，今天下午一定发货');
  await context1.waitFor({ state: 'hidden' });
  await context.close();
});

test('a fatal message is held back; sending anyway needs a reason, which is logged and survives a reload', async () => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
  const page = await demoPage(context, 'log=e2e-fatal&conversation=e2e-fatal-1');
  await page.evaluate(() => window.widget.log.clear());
  await page.click('#input');
  await page.keyboard.type('加我微信wx123456，私下给你便宜，我的手机13812345678');
  await page.keyboard.press('Enter');
  const hold = panel(page).locator('[data-role="hold"]');
  await hold.waitFor({ state: 'visible' });
  assert.deepEqual(await page.evaluate(() => window.demo.sent), [], 'nothing reached the customer');
  await page.screenshot({ path: `${shots}/4-held.png`, fullPage: true });
  // No reason: still held.
  await hold.locator('[data-action="send-anyway"]').click();
  assert.match(await hold.locator('.error').textContent(), /理由/);
  assert.deepEqual(await page.evaluate(() => window.demo.sent), []);
  await hold.locator('[data-role="justification"]').fill('客户要求线下对接，主管已同意');
  await hold.locator('[data-action="send-anyway"]').click();
  await page.waitForFunction(() => window.demo.sent.length === 1);
  await page.evaluate(() => window.widget.lastLogged);
  // A minor issue never blocks.
  await page.click('#input');
  await page.keyboard.type('亲，已经发货了！！');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.demo.sent.length === 2);
  await page.evaluate(() => window.widget.lastLogged);

  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  const records = await page.evaluate(() => window.widget.log.all());
  const agent = records.filter((r) => r.role === 'agent');
  assert.equal(agent.length, 2);
  assert.equal(agent[0].override, '客户要求线下对接，主管已同意');
  assert.equal(agent[0].fatal, true);
  assert.ok(agent[0].rules.includes('zh/diversion/wechat'));
  // Personal data masked by default.
  assert.ok(!agent[0].text.includes('13812345678'), agent[0].text);
  assert.ok(agent[0].text.includes('5678'));
  assert.equal(agent[1].fatal, false);
  await page.screenshot({ path: `${shots}/5-after-reload.png` });
  await context.close();
});

test('the exported log round-trips through zhijian review', async () => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
  // A log of its own: the opening customer message is in it, then one more.
  const page = await demoPage(context, `log=e2e-export-${Date.now()}&conversation=e2e-export-1`);
  await page.click('#next-customer');
  for (const reply of ['非常抱歉让您久等了，我马上帮您催一下', '你自己看物流']) {
    await page.click('#input');
    await page.keyboard.type(reply);
    await page.keyboard.press('Enter');
    await page.evaluate(() => window.widget.lastLogged);
  }
  const download = page.waitForEvent('download');
  await page.click('#export');
  const file = `${shots}/export.jsonl`;
  await (await download).saveAs(file);
  const cli = `${root}target/release/zhijian`;
  assert.ok(existsSync(cli), 'cargo build --release first');
  const out = spawnSync(cli, ['review', file, '--no-progress'], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  const scores = out.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(scores.length, 1);
  const s = scores[0];
  assert.equal(s.id, 'e2e-export-1');
  assert.equal(s.agent, 'xiaomei');
  assert.equal(s.kpis.agent_messages, 2);
  assert.equal(s.kpis.customer_messages, 2);
  assert.ok(s.deductions.some((d) => d.rule === 'zh/forbidden/look-yourself' || d.item === 'service-language' || d.item === 'attitude'), JSON.stringify(s.deductions));
  // The widget's score of each message and the CLI's agree.
  const logged = await page.evaluate(() => window.widget.log.all());
  const cliCheck = spawnSync(cli, ['check', '--format', 'json', '你自己看物流'], { encoding: 'utf8' });
  assert.equal(logged.find((r) => r.text === '你自己看物流').score, JSON.parse(cliCheck.stdout).score);
  await context.close();
});

test('mutes persist; dismissing hides a hint for this message only', async () => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
  const page = await demoPage(context, 'log=e2e-mute');
  await page.click('#input');
  await page.keyboard.type('亲，已经发货了！！');
  const rule = panel(page).locator('li').first();
  await rule.waitFor();
  const id = await rule.getAttribute('data-rule');
  await rule.getByText('不再提示此规则').click();
  assert.equal(await panel(page).locator(`li[data-rule="${id}"]`).count(), 0);
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  await page.click('#input');
  await page.keyboard.type('亲，已经发货了！！');
  await page.waitForTimeout(50);
  assert.equal(await panel(page).locator(`li[data-rule="${id}"]`).count(), 0, 'still muted after reload');
  await page.evaluate(() => localStorage.removeItem('zhijian.mutedRules'));
  // Dismissing: gone for this draft, back for the next message.
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  await page.click('#input');
  await page.keyboard.type('这个我不知道');
  const dont = panel(page).locator('li[data-rule="zh/forbidden/dont-know"]');
  await dont.waitFor();
  await dont.getByText('忽略').click();
  assert.equal(await dont.count(), 0);
  assert.equal(await page.locator('[data-zhijian-overlay] mark[data-rule="zh/forbidden/dont-know"]').count(), 0, 'unmarked too');
  await page.click('#input');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.demo.sent.length === 1);
  await page.keyboard.type('这个我不知道');
  await dont.waitFor();
  await context.close();
});

test('a contenteditable editor gets highlights without its DOM being touched', async () => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
  const page = await demoPage(context, 'editor=contenteditable&log=e2e-ce');
  await page.click('#editable');
  await page.keyboard.type('😀这个我不知道');
  await panel(page).locator('li[data-rule="zh/forbidden/dont-know"]').waitFor();
  const highlighted = await page.evaluate(() => [...CSS.highlights.get('zhijian-major')].map((r) => r.toString()));
  assert.deepEqual(highlighted, ['不知道']);
  assert.equal(await page.evaluate(() => document.getElementById('editable').children.length), 0, 'no wrapper elements inserted');
  await page.screenshot({ path: `${shots}/6-contenteditable.png` });
  await context.close();
});

test('the sandbox runs a whole scenario and scores the session', async () => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/www/sandbox/?delay=20`);
  await page.waitForSelector('body[data-ready="true"]');
  assert.ok((await page.locator('#scenario option').count()) >= 10);
  await page.selectOption('#scenario', 'zh-late-delivery');
  await page.click('#start');
  await page.waitForFunction(() => document.querySelectorAll('.msg.customer').length === 2);
  // An unapologetic reply: the customer escalates.
  await page.click('#input');
  await page.keyboard.type('物流问题我也不知道');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => [...document.querySelectorAll('.msg.customer')].some((m) => m.textContent.includes('什么态度')));
  const replies = ['非常抱歉让您久等了，我马上帮您查一下物流', '亲，预计明天就能到，请您放心', '好的，我这边帮您催促快递，有进展马上通知您'];
  for (const [i, reply] of replies.entries()) {
    const before = await page.locator('.msg.customer').count();
    await page.click('#input');
    await page.keyboard.type(reply);
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => document.querySelectorAll('.msg.customer').length > n, before);
    void i;
  }
  await page.screenshot({ path: `${shots}/7-sandbox-chat.png` });
  await page.click('#finish');
  await page.waitForSelector('#scorecard:not([hidden])');
  const score = await page.evaluate(() => window.lastScore);
  assert.equal(typeof score.score, 'number');
  assert.ok(score.deductions.some((d) => d.rule === 'zh/forbidden/dont-know'), 'the first reply cost points');
  assert.ok(score.emotion.anger >= 1, 'the customer got angry');
  assert.ok(score.score < 100);
  await page.screenshot({ path: `${shots}/8-sandbox-score.png`, fullPage: true });
  const download = page.waitForEvent('download');
  await page.click('#export-session');
  const file = `${shots}/session.jsonl`;
  await (await download).saveAs(file);
  const out = spawnSync(`${root}target/release/zhijian`, ['review', file, '--no-progress'], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  assert.equal(JSON.parse(out.stdout).score, score.score, 'the trainer gets the same score from the CLI');
  // A broken scenario file is refused with the reason.
  writeFileSync(`${shots}/broken-scenario.json`, JSON.stringify({ id: 'x', title: 'x', language: 'fr', beats: [{ customer: 'hi' }] }));
  await page.setInputFiles('#load', `${shots}/broken-scenario.json`);
  await page.locator('#error').waitFor({ state: 'visible' });
  const error = await page.locator('#error').textContent();
  assert.match(error, /"language" must be "zh" or "en"/);
  assert.match(error, /beats\[0\]\.customer must be a list/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the server the README starts prints the URLs and serves the pages', async () => {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [`${root}www/serve.mjs`, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    let out = '';
    for await (const chunk of child.stdout) {
      out += chunk;
      if (out.includes('review report')) break;
    }
    const demo = out.match(/demo chat page:\s+(\S+)/)[1];
    const sandbox = out.match(/practice sandbox:\s+(\S+)/)[1];
    for (const url of [demo, sandbox]) {
      const res = await fetch(url);
      assert.equal(res.status, 200, url);
      assert.match(await res.text(), /<script type="module"/);
    }
    const wasm = await fetch(new URL('/pkg/web/zhijian_bg.wasm', demo));
    assert.equal(wasm.headers.get('content-type'), 'application/wasm');
    assert.equal((await fetch(new URL('/../../etc/passwd', demo))).status, 404);
  } finally {
    child.kill();
  }
});

test('English UI text and English hints', async () => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
  const page = await demoPage(context, `locale=en&autostart=0&log=e2e-en-${Date.now()}`);
  await page.click('#input');
  await page.keyboard.type('Calm down and read the description.');
  const hint = panel(page).locator('li').first();
  await hint.waitFor();
  assert.match(await hint.textContent(), /Dismiss/);
  assert.match(await hint.textContent(), /Mute this rule/);
  assert.match(await panel(page).locator('[data-role="badge"]').textContent(), /^\d+ pts$/);
  await page.screenshot({ path: `${shots}/9-english.png` });
  assert.deepEqual(page.errors, []);
  await context.close();
});
