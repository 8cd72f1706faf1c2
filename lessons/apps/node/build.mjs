// Builds src/ into dist/ with Node's standard library only (no dependencies).
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';

const page = await readFile('src/index.html', 'utf8');
const script = await readFile('src/app.js', 'utf8');
const { version } = JSON.parse(await readFile('package.json', 'utf8'));

await rm('dist', { recursive: true, force: true });
await mkdir('dist', { recursive: true });
await writeFile('dist/index.html', page.replace('%VERSION%', version));
// "minify": drop comment lines and blank lines
await writeFile('dist/app.js', script.split('\n').filter((l) => l.trim() && !l.trim().startsWith('//')).join('\n') + '\n');
await writeFile('dist/healthz', 'ok\n');
console.log('built dist/');
