// A tiny preview server for dist/ (development only: production serves dist/ with nginx).
// It reads the same variables as the nginx image: NGINX_HOST (default 0.0.0.0) and NGINX_PORT (default 8080).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), 'dist');
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.txt': 'text/plain' };

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const rel = url.pathname.endsWith('/') ? `${url.pathname}index.html` : url.pathname;
  const file = path.join(root, path.normalize(rel));
  if (!file.startsWith(root)) {
    res.writeHead(400).end();
    return;
  }
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }
});

const host = process.env.NGINX_HOST || '0.0.0.0';
const port = Number(process.env.NGINX_PORT || 8080);
server.listen(port, host, () => console.log(`preview on http://${host}:${port}/`));
