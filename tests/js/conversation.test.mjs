// scoreConversation in the WebAssembly build gives exactly what `zhijian review` gives.
// Run after `cargo build --release` and scripts/build-wasm.sh: node --test tests/js/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const require = createRequire(import.meta.url);
const { Checker } = require('../../pkg/node/zhijian.js');
const root = new URL('../../', import.meta.url).pathname;
const cli = `${root}target/release/zhijian`;
const checker = new Checker();

function review(input, args = []) {
  assert.ok(existsSync(cli), `${cli} is built by cargo build --release (scripts/test.sh does it first)`);
  const out = spawnSync(cli, ['review', '-', '--no-progress', ...args], { input, encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  return out.stdout.trim().split('\n').map((l) => JSON.parse(l));
}

test('the sample conversations score the same in WebAssembly as in the CLI', () => {
  const lines = readFileSync(`${root}examples/conversations.jsonl`, 'utf8').trim().split('\n');
  const native = review(lines.join('\n'));
  assert.equal(native.length, lines.length);
  lines.forEach((line, i) => {
    assert.deepEqual(checker.scoreConversation(line), native[i], `conversation ${i + 1}`);
    // An object works as well as a JSON line.
    assert.deepEqual(checker.scoreConversation(JSON.parse(line)), native[i]);
  });
});

test('generated conversations score the same in WebAssembly as in the CLI', () => {
  const gen = spawnSync(cli, ['generate', '--count', '150', '--seed', '42'], { encoding: 'utf8' });
  const lines = gen.stdout.trim().split('\n');
  const native = review(gen.stdout);
  lines.forEach((line, i) => assert.deepEqual(checker.scoreConversation(line), native[i], `g${i}`));
});

test('options: platform, scorecard and locale, per call', () => {
  const line = readFileSync(`${root}examples/conversations.jsonl`, 'utf8').split('\n')[1];
  const jd = checker.scoreConversation(line, { platform: 'jd' });
  assert.equal(jd.platform, 'jd');
  assert.deepEqual(jd, review(line, ['--platform', 'jd'])[0]);
  const en = checker.scoreConversation(line, { locale: 'en' });
  assert.deepEqual(en, review(line, ['--locale', 'en'])[0]);
  assert.ok(en.deductions.some((d) => d.name === 'No greeting in the first reply'));
  const lenient = '[scorecard]\nid = "lenient"\nname = { zh = "宽松", en = "lenient" }\npass = 50\n\n[[item]]\nid = "fatal"\nname = { zh = "致命", en = "fatal" }\nseverity = "fatal"\nfatal = true\n';
  const s = checker.scoreConversation(line, { scorecard: lenient });
  assert.equal(s.scorecard, 'lenient');
  assert.equal(s.score, 100);
  // The default scorecard is back for the next call.
  assert.equal(checker.scoreConversation(line).scorecard, 'ecommerce');
});

test('a deduction span slices the flagged characters out of its message', () => {
  const conversation = { id: 'e', messages: [
    { role: 'customer', text: '在吗' },
    { role: 'agent', text: '😀👍🏽 加我微信吧' },
  ] };
  const s = checker.scoreConversation(conversation);
  const d = s.deductions.find((x) => x.rule === 'zh/diversion/wechat');
  assert.ok(d, JSON.stringify(s.deductions));
  const text = conversation.messages[d.message].text;
  assert.equal(text.slice(d.span.start_utf16, d.span.end_utf16), d.text);
  assert.equal([...text].slice(d.span.start, d.span.end).join(''), d.text);
  assert.equal(s.fatal, true);
});

test('a malformed conversation is a JavaScript Error that says why', () => {
  assert.throws(() => checker.scoreConversation('{"id": 1, "messages": [{"role": "shopper", "text": "x"}]}'), /messages\[0\]: unknown role "shopper"/);
  assert.throws(() => checker.scoreConversation('{"id": 1'), /EOF/);
  assert.throws(() => checker.scoreConversation('{"id": "x", "messages": []}', { platform: 'nowhere' }), /unknown platform "nowhere"/);
  assert.throws(() => checker.scoreConversation('{"id": "x", "messages": []}', { scorecard: '[scorecard]\nid = 1' }), Error);
});

test('customerSignals reads a customer message as conversation scoring does', () => {
  assert.deepEqual(checker.customerSignals('什么态度！！我要投诉').sort(), ['anger', 'complaint']);
  assert.deepEqual(checker.customerSignals('什么时候发货？'), ['question']);
  assert.deepEqual(checker.customerSignals('好的，那就要两件'), ['acceptance']);
  assert.deepEqual(checker.customerSignals('好的'), []);
  assert.deepEqual(checker.customerSignals('This is ridiculous, I want a refund!!').sort(), ['anger', 'complaint']);
  // The same reading as the emotion of a scored conversation.
  const score = checker.scoreConversation({ id: 's', messages: [{ role: 'customer', text: '什么态度！！我要投诉' }] });
  assert.equal(score.emotion.anger, 1);
  assert.equal(score.emotion.complaint, 1);
});
