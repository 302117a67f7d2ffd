// Entry point for a bundler (esbuild here): the wasm-bindgen glue is plain ES module code, and
// the .wasm file is fetched next to the bundle.
import init, { Checker } from '../../pkg/check/zhijian.js';

await init({ module_or_path: new URL('./zhijian_bg.wasm', import.meta.url) });
const report = new Checker().check('难道你没收到短信吗？？');
document.getElementById('out').textContent = JSON.stringify({ score: report.score, hints: report.hints.map((h) => h.rule) });
