// A static file server for the demo chat page, the practice sandbox and the review report:
// nothing but files, from the repository root (so that /pkg/web/ is reachable), on localhost.
//   node www/serve.mjs [port]        (default 8080, or the next free port)
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'application/x-ndjson; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ts': 'text/plain; charset=utf-8',
};

async function handle(req, res) {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/') {
    res.writeHead(302, { location: '/www/demo/' });
    return res.end();
  }
  // Only files under the root: normalise and refuse anything that climbs out.
  let path = normalize(join(ROOT, decodeURIComponent(url.pathname)));
  if (!path.startsWith(ROOT)) {
    res.writeHead(403);
    return res.end('forbidden');
  }
  try {
    if ((await stat(path)).isDirectory()) path = join(path, 'index.html');
    const body = await readFile(path);
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(body);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('not found');
  }
}

/** Starts the server on `port` (0: any free port) and resolves to its base URL. */
export function startServer(port = 0) {
  return new Promise((resolvePromise, reject) => {
    const server = createServer((req, res) => {
      handle(req, res).catch(() => {
        res.writeHead(500);
        res.end();
      });
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      resolvePromise({ server, url: `http://127.0.0.1:${server.address().port}` });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let port = Number(process.argv[2] ?? process.env.PORT ?? 8080);
  let started;
  for (let tries = 0; !started && tries < 20; tries++) {
    try {
      started = await startServer(port);
    } catch (e) {
      if (e.code !== 'EADDRINUSE') throw e;
      port += 1;
    }
  }
  const { url } = started;
  console.log(`zhijian is served on ${url} (Ctrl-C stops it)`);
  console.log(`  demo chat page:      ${url}/www/demo/`);
  console.log(`  practice sandbox:    ${url}/www/sandbox/`);
  console.log(`  review report:       ${url}/target/review.html`);
}
