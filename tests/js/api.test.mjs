// The JavaScript API of the WebAssembly build (pkg/node), with node's test runner.
// Run after scripts/build-wasm.sh: node --test tests/js/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const { Checker, applySuggestion } = require('../../pkg/node/zhijian.js');
const checker = new Checker();

test('spans are UTF-16 offsets: slice() returns the flagged characters, emoji included', () => {
  const text = '😀👍🏽 这个我不知道，加我 ＶＸ 吧𠀀你是白痴吗';
  const report = checker.check(text);
  assert.ok(report.hints.length >= 3, JSON.stringify(report.hints));
  for (const hint of [...report.hints, ...report.markers]) {
    assert.equal(text.slice(hint.start, hint.end), hint.text);
    assert.equal([...text].slice(hint.start_char, hint.end_char).join(''), hint.text);
  }
  const rules = report.hints.map((h) => h.rule);
  assert.ok(rules.includes('zh/forbidden/dont-know'));
  assert.ok(rules.includes('zh/diversion/wechat'));
  assert.ok(rules.includes('zh/insult/idiot'));
  assert.equal(report.fatal, true);
  assert.equal(report.score, 0);
});

test('texts with quotes, backslashes, control and astral characters come back as typed', () => {
  // The report crosses as hand-written JSON (src/wasm.rs): every field must read back exactly.
  const text = '"引号" \\路径\\ \u0001\u001f\t 这个我不知道 😀𠀀 "你是白痴吗" \\u4e0d';
  const report = checker.check(text);
  const found = report.hints.map((h) => [h.rule, h.text]);
  assert.deepEqual(found.filter(([rule]) => rule === 'zh/forbidden/dont-know'), [['zh/forbidden/dont-know', '不知道']]);
  assert.ok(found.some(([rule, t]) => rule === 'zh/insult/idiot' && t === '白痴'), JSON.stringify(found));
  for (const hint of [...report.hints, ...report.markers]) {
    assert.equal(text.slice(hint.start, hint.end), hint.text);
  }
  assert.ok(report.hints.every((h) => typeof h.message === 'string' && h.message.length > 0));
  assert.equal(typeof report.politeness, 'number');
});

test('applySuggestion replaces exactly the span and clears the rule', () => {
  const text = '😀亲，这个我不知道哦';
  const hint = checker.check(text).hints.find((h) => h.rule === 'zh/forbidden/dont-know');
  const fixed = applySuggestion(text, hint);
  assert.equal(fixed, '😀亲，这个我我帮您确认一下哦');
  assert.ok(!checker.check(fixed).hints.some((h) => h.rule === hint.rule));
  assert.throws(() => applySuggestion(text, hint, 5), /no suggestion 5/);
  assert.throws(() => applySuggestion('短', hint), /do not fit/);
});

test('English, language option and locale', () => {
  const en = checker.check('Calm down, as I said it ships Monday!!!');
  assert.equal(en.language, 'en');
  assert.deepEqual(en.hints.map((h) => h.rule).sort(), ['en/punctuation/exclamation-run', 'en/tone/as-i-said', 'en/tone/calm-down']);
  const forced = new Checker({ language: 'en', locale: 'zh' }).check('calm down');
  assert.equal(forced.language, 'en');
  assert.match(forced.hints[0].message, /calm down/);
  assert.ok(/[\u4e00-\u9fff]/.test(forced.hints[0].message));
});

const customPack = `
[pack]
id = "shop"
language = "zh"
version = "1.2.0"

[[rule]]
id = "shop/words/no-discount"
kind = "phrase"
category = "shop"
severity = "minor"
points = 2
message = { zh = "本店不打折", en = "No discounts here" }
phrases = ["打折"]
suggest = ["有优惠活动"]
`;

test('custom packs: TOML text, files, parsed objects; they replace the built-in pack of their language', () => {
  for (const source of [customPack, { files: { 'pack.toml': customPack } }]) {
    const c = new Checker({ packs: [source] });
    const report = c.check('不知道，打折吗');
    assert.deepEqual(report.hints.map((h) => h.rule), ['shop/words/no-discount']);
    assert.equal(c.version().packs.find((p) => p.language === 'zh').id, 'shop');
    assert.equal(c.check('calm down').hints[0].rule, 'en/tone/calm-down');
  }
  const parsed = {
    pack: { id: 'obj', language: 'zh', version: '1' },
    rule: [{ id: 'obj/x/y', kind: 'phrase', category: 'x', severity: 'major', points: 5,
      message: { zh: '甲', en: 'a' }, phrases: ['包邮'] }],
  };
  assert.equal(new Checker({ packs: [parsed] }).check('包邮吗').hints[0].rule, 'obj/x/y');
});

test('a broken pack throws an Error naming file, rule and field', () => {
  const broken = customPack.replace('phrases = ["打折"]', 'phrases = ["打折"]\npattern = "("');
  assert.throws(() => new Checker({ packs: [broken] }), (e) => {
    assert.ok(e instanceof Error);
    assert.match(e.message, /packs\[0\]:\d+: rule shop\/words\/no-discount: field `pattern`/);
    return true;
  });
  assert.throws(() => new Checker({ packs: ['not toml ['] }), /packs\[0\]:1/);
  assert.throws(() => new Checker({ disable: ['no/such/rule'] }), /no rule "no\/such\/rule"/);
  assert.throws(() => new Checker({ severity: { 'zh/forbidden/dont-know': 'huge' } }), /huge/);
  assert.throws(() => new Checker({ language: 'fr' }), /unknown language/);
});

test('rules can be disabled and re-graded', () => {
  const c = new Checker({ disable: ['zh/forbidden/dont-know'], severity: { 'zh/diversion/wechat': 'minor' } });
  assert.ok(!c.check('不知道').hints.some((h) => h.rule === 'zh/forbidden/dont-know'));
  const wechat = c.check('加微信').hints.find((h) => h.rule === 'zh/diversion/wechat');
  assert.equal(wechat.severity, 'minor');
  const listed = c.rules();
  assert.equal(listed.find((r) => r.id === 'zh/forbidden/dont-know').enabled, false);
  assert.ok(listed.length >= 200);
});

test('1 MB of text, and text no valid UTF-8 can hold', () => {
  const big = '亲，您好，这个我不知道😀'.repeat(60_000);
  assert.ok(big.length > 700_000);
  const report = checker.check(big);
  assert.ok(report.hints.length >= 60_000);
  const last = report.hints.at(-1);
  assert.equal(big.slice(last.start, last.end), last.text);
  // A lone surrogate arrives as U+FFFD, one code unit, so offsets still fit the JS string.
  const lone = '\uD800不知道';
  const hint = checker.check(lone).hints[0];
  assert.equal(lone.slice(hint.start, hint.end), '不知道');
  for (const odd of ['', '\u0000', '\u001b[31m', '\uFEFF', '\u200B'.repeat(1000)]) {
    assert.equal(typeof checker.check(odd).score, 'number');
  }
});

// The declarations in pkg/node/zhijian.d.ts come from the typescript_custom_section in
// src/wasm.rs. Parse the interfaces and check a real result has exactly their keys and types.
function interfaces() {
  const dts = readFileSync(new URL('../../pkg/node/zhijian.d.ts', import.meta.url), 'utf8');
  const found = {};
  for (const [, name, body] of dts.matchAll(/export interface (\w+) \{([^}]*)\}/g)) {
    found[name] = Object.fromEntries(
      [...body.matchAll(/^\s*(\w+)(\?)?: ([^;]+);/gm)].map(([, key, optional, type]) => [key, { type, optional: !!optional }]),
    );
  }
  return found;
}

function conforms(value, type, types, path) {
  type = type.trim();
  if (type.includes('|') && !type.startsWith('Record<')) {
    const errors = type.split('|').map((t) => { try { conforms(value, t, types, path); return null; } catch (e) { return e; } });
    if (errors.every(Boolean)) throw new Error(`${path}: ${JSON.stringify(value)} is not ${type}`);
    return;
  }
  if (type.endsWith('[]')) {
    assert.ok(Array.isArray(value), `${path} is an array`);
    value.forEach((v, i) => conforms(v, type.slice(0, -2), types, `${path}[${i}]`));
  } else if (type.startsWith('Record<string, ')) {
    assert.equal(typeof value, 'object', path);
    for (const [k, v] of Object.entries(value)) conforms(v, type.slice(15, -1), types, `${path}.${k}`);
  } else if (type.startsWith('"')) {
    assert.equal(value, JSON.parse(type), path);
  } else if (type === 'null') {
    assert.equal(value, null, path);
  } else if (['string', 'number', 'boolean'].includes(type)) {
    assert.equal(typeof value, type, path);
  } else if (type === 'Language') {
    assert.ok(['zh', 'en'].includes(value), path);
  } else if (type === 'Severity') {
    assert.ok(['fatal', 'major', 'minor', 'hint'].includes(value), path);
  } else if (types[type]) {
    const shape = types[type];
    assert.equal(typeof value, 'object', path);
    assert.deepEqual(Object.keys(value).sort(), Object.keys(shape).filter((k) => !shape[k].optional || k in value).sort(), `${path}: keys of ${type}`);
    for (const [k, { type: t }] of Object.entries(shape)) if (k in value) conforms(value[k], t, types, `${path}.${k}`);
  } else {
    throw new Error(`unknown type ${type} at ${path}`);
  }
}

test('TypeScript declarations match real results key by key', () => {
  const types = interfaces();
  for (const name of ['Report', 'Hint', 'Marker', 'CategoryScore', 'RuleInfo', 'VersionInfo', 'PackInfo']) {
    assert.ok(types[name], `zhijian.d.ts declares ${name}`);
  }
  for (const text of ['亲，您好，这个我不知道！！加我vx', 'Thanks! Calm down, AS I SAID', '']) {
    conforms(checker.check(text), 'Report', types, 'report');
  }
  conforms(checker.rules(), 'RuleInfo[]', types, 'rules');
  const lines = readFileSync(new URL('../../examples/conversations.jsonl', import.meta.url), 'utf8').trim().split('\n');
  for (const line of lines) conforms(checker.scoreConversation(line), 'ConversationScore', types, 'conversation');
  conforms(checker.version(), 'VersionInfo', types, 'version');
  conforms(checker.platforms(), 'PlatformInfo[]', types, 'platforms');
  assert.equal(checker.platforms().find((p) => p.id === 'taobao').slow_reply_seconds, 100);
});
