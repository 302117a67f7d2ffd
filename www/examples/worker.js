// zhijian inside a module Web Worker: the page stays responsive however long the text.
import init, { Checker } from '../../pkg/check/zhijian.js';

const ready = init().then(() => new Checker());
self.onmessage = async (event) => {
  const checker = await ready;
  const report = checker.check(event.data);
  self.postMessage({ score: report.score, hints: report.hints.map((h) => [h.rule, event.data.slice(h.start, h.end)]) });
};
