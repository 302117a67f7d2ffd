// zhijian in a Cloudflare-style worker (workerd): the .wasm arrives as a compiled module.
// POST a message as the body; the answer is the report as JSON.
import { initSync, Checker } from '../../pkg/check/zhijian.js';
import wasm from '../../pkg/check/zhijian_bg.wasm';

let checker;
export default {
  async fetch(request) {
    if (!checker) {
      initSync({ module: wasm });
      checker = new Checker();
    }
    const text = await request.text();
    return Response.json(checker.check(text));
  },
};
