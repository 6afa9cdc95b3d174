// A static file server for the built site (dist/), on a free localhost port: what any web
// server hosting the playground does, with the .wasm MIME type browsers need for streaming.
// With api.port set (the harness's compile service), /api/ requests pass to that service with
// their headers as the browser sent them (Host, Origin), as vite preview's proxy does.
import { createServer, request } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const kTypes = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.wasm': 'application/wasm', '.o': 'application/octet-stream',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
};

function proxy(req, res, apiPort) {
  const upstream = request({ host: '127.0.0.1', port: apiPort, method: req.method, path: req.url, headers: req.headers }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  upstream.on('error', () => {
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end('compile service unreachable');
  });
  req.pipe(upstream);
}

export async function serve(root, port = 0, host = '127.0.0.1', api = {}) {
  const server = createServer(async (req, res) => {
    if (api.port && (req.url ?? '').startsWith('/api/')) return proxy(req, res, api.port);
    try {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      let file = normalize(join(root, path));
      if (!file.startsWith(normalize(root + sep)) && file !== normalize(root)) throw new Error('outside root');
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': kTypes[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  const address = server.address();
  return { server, url: `http://${host}:${address.port}/` };
}
