// A small preview server for dist/ (what `npm start` runs). Listens on HOST:PORT.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const root = path.resolve('dist');
const types = { '.html': 'text/html', '.js': 'text/javascript' };

createServer(async (req, res) => {
  const name = req.url === '/' ? 'index.html' : path.normalize(req.url.split('?')[0]).replace(/^\/+/, '');
  try {
    const body = await readFile(path.join(root, name));
    res.writeHead(200, { 'content-type': types[path.extname(name)] ?? 'text/plain' }).end(body);
  } catch {
    res.writeHead(404).end('not found\n');
  }
}).listen(Number(process.env.PORT || 3000), process.env.HOST || '0.0.0.0');
