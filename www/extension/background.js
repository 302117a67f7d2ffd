// An MV3 service worker using the engine: no eval, only 'wasm-unsafe-eval' to compile the
// module. The package is copied into the extension as pkg/ (tests/js/contexts.test.mjs does).
import init, { Checker } from './pkg/zhijian.js';

self.zhijianReady = init({ module_or_path: chrome.runtime.getURL('pkg/zhijian_bg.wasm') }).then(() => new Checker());
self.checkDraft = async (text) => {
  const report = (await self.zhijianReady).check(text);
  return { score: report.score, hints: report.hints.map((h) => h.rule) };
};
