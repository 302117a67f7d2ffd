// pkg/check, the message checker alone (what the agent's page loads), against the full package
// (pkg/node): the same reports, compiled packs from JavaScript, and clear errors for what it
// leaves out. Run after scripts/build-wasm.sh: node --test tests/js/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const check = await import(new URL('pkg/check/zhijian.js', root));
check.initSync({ module: readFileSync(new URL('pkg/check/zhijian_bg.wasm', root)) });
const full = createRequire(import.meta.url)('../../pkg/node/zhijian.js');

// The mixed corpus and every rule example of the built-in packs.
const corpus = [
  ...readFileSync(new URL('tests/golden/mixed.txt', root), 'utf8').split('\n').filter(Boolean),
  ...readFileSync(new URL('tests/golden/examples.jsonl', root), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).text),
];

test('pkg/check gives the full package\'s report for every rule example and the mixed corpus', () => {
  const small = new check.Checker();
  const big = new full.Checker();
  assert.ok(corpus.length > 500, String(corpus.length));
  for (const text of corpus) {
    assert.deepEqual(small.check(text), big.check(text), text);
  }
  assert.deepEqual(small.rules(), big.rules());
  assert.deepEqual(small.version(), big.version());
});

test('prepare() compiles every pattern ahead of use and changes no report', () => {
  const prepared = new check.Checker();
  const patterns = prepared.prepare();
  assert.ok(patterns > 10, `compiled ${patterns} patterns`);
  assert.equal(prepared.prepare(), 0, 'a second call has nothing left to compile');
  const lazy = new check.Checker();
  for (const text of corpus) {
    assert.deepEqual(prepared.check(text), lazy.check(text), text);
  }
  // After checking everything, the lazy checker has compiled some of its patterns on the way.
  const left = lazy.prepare();
  assert.ok(left < patterns, `${left} of ${patterns} left`);
});

test('customer signals are in pkg/check too (the widget reads them)', () => {
  const small = new check.Checker();
  const big = new full.Checker();
  for (const text of ['都一个星期了，什么态度！再不发货我就投诉了', 'This is ridiculous, I want a refund now', '好的谢谢']) {
    assert.deepEqual(small.customerSignals(text), big.customerSignals(text), text);
  }
  assert.ok(small.customerSignals('都一个星期了，什么态度！再不发货我就投诉了').includes('complaint'));
});

test('a compiled pack (the bytes of a .zjpk file) replaces the built-in pack of its language', () => {
  const bytes = readFileSync(new URL('rules/compiled/en.zjpk', root));
  const small = new check.Checker({ packs: [new Uint8Array(bytes)], defaults: false });
  assert.deepEqual(small.version().packs.map((p) => p.id), ['en']);
  const text = 'Calm down, that is not my problem.';
  assert.deepEqual(small.check(text), new full.Checker().check(text));
  // The full package reads compiled packs as well.
  const big = new full.Checker({ packs: [bytes], defaults: false });
  assert.deepEqual(big.check(text), small.check(text));
});

test('damaged or foreign bytes give an Error naming the pack, never a crash', () => {
  const bytes = readFileSync(new URL('rules/compiled/zh-CN.zjpk', root));
  const cases = [
    [bytes.subarray(0, bytes.length / 2), /packs\[0\]: compiled pack is damaged/],
    [new Uint8Array([1, 2, 3]), /packs\[0\]: not a compiled pack/],
    [Uint8Array.from([...bytes.subarray(0, 4), 0, 99, ...bytes.subarray(6)]), /another format version/],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => new check.Checker({ packs: [input] }), (e) => e instanceof Error && message.test(e.message));
  }
  // Every truncation point: an error each time, and the module still works afterwards.
  for (let end = 0; end < bytes.length; end += 997) {
    assert.throws(() => new check.Checker({ packs: [bytes.subarray(0, end)] }), Error);
  }
  assert.equal(new check.Checker().check('这个我不知道').hints[0].rule, 'zh/forbidden/dont-know');
});

test('pkg/check says what it leaves out', () => {
  assert.throws(
    () => new check.Checker({ packs: ['[pack]\nid = "x"\nlanguage = "en"\nversion = "1"\n'] }),
    /reads compiled packs only .*zhijian rules compile/,
  );
  const small = new check.Checker();
  assert.equal(small.scoreConversation, undefined);
  assert.equal(typeof new full.Checker().scoreConversation, 'function');
});

test('each package declares exactly the Checker methods it has', () => {
  for (const [dir, Checker] of [['pkg/check', check.Checker], ['pkg/node', full.Checker]]) {
    const dts = readFileSync(new URL(`${dir}/zhijian.d.ts`, root), 'utf8');
    const body = dts.match(/export class Checker \{([\s\S]*?)\n\}/)[1];
    const declared = [...body.matchAll(/^\s+(\w+)\(/gm)].map((m) => m[1]).filter((m) => m !== 'constructor').sort();
    const present = Object.getOwnPropertyNames(Checker.prototype)
      .filter((m) => m !== 'constructor' && !m.startsWith('__') && typeof Checker.prototype[m] === 'function').sort();
    assert.deepEqual(declared, present, dir);
    // Options may be left out, as every example does: TypeScript must know that too.
    assert.match(body, /constructor\(options\?: CheckerOptions\)/, dir);
  }
  const node = readFileSync(new URL('pkg/node/zhijian.d.ts', root), 'utf8');
  assert.match(node, /scoreConversation\(conversation: ConversationInput, options\?: ConversationOptions\)/);
});
