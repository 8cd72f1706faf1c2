// HTTP service: /            a build-cache tip as JSON (?n=3 for a given one)
//               /healthz     "ok"
// Listens on HOST:PORT (defaults 0.0.0.0:8080).
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { tipOf } from './tips.mjs';

let version = 'dev';
try {
  version = JSON.parse(readFileSync(new URL('./build-info.json', import.meta.url), 'utf8')).version;
} catch {
  // running from src/ without a build: keep "dev"
}

export function handler(req, res) {
  const url = new URL(req.url, 'http://localhost');
  if (req.method !== 'GET') {
    res.writeHead(405).end();
  } else if (url.pathname === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  } else if (url.pathname === '/') {
    const body = { service: 'stagewise-tips', version, ...tipOf(Number(url.searchParams.get('n'))) };
    res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
  } else {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }
}

export function start(port = Number(process.env.PORT || 8080), host = process.env.HOST || '0.0.0.0') {
  const server = createServer(handler);
  server.listen(port, host, () => console.log(`stagewise-tips ${version} listening on ${host}:${port}`));
  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.on(signal, () => server.close(() => process.exit(0)));
  }
  return server;
}

if (process.argv[1] && new URL(`file://${process.argv[1]}`).href === import.meta.url) {
  start();
}
