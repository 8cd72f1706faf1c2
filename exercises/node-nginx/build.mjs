// Builds the static site into dist/ (no dependencies, only Node's standard library).
//
//   dist/index.html        the page, with asset paths filled in
//   dist/assets/app.js     the script, comments stripped
//   dist/assets/app.css    the stylesheet, comments and blank lines stripped
//   dist/healthz.txt       "ok", for health checks
//
// Usage: node build.mjs [outDir]   (default: dist)
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export function stripJs(code) {
  return code
    .split('\n')
    .filter((line) => !line.trim().startsWith('//'))
    .join('\n')
    .trim() + '\n';
}

export function stripCss(code) {
  return code
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '')
    .join('\n') + '\n';
}

export async function build(outDir = path.join(here, 'dist')) {
  const src = path.join(here, 'src');
  const pkg = JSON.parse(await readFile(path.join(here, 'package.json'), 'utf8'));

  await rm(outDir, { recursive: true, force: true });
  await mkdir(path.join(outDir, 'assets'), { recursive: true });

  const js = stripJs(await readFile(path.join(src, 'app.js'), 'utf8'));
  const css = stripCss(await readFile(path.join(src, 'styles.css'), 'utf8'));
  const html = (await readFile(path.join(src, 'index.html'), 'utf8'))
    .replace(/<!--[\s\S]*?-->\n?\s*/g, '')
    .replace('%JS%', '/assets/app.js')
    .replace('%CSS%', '/assets/app.css')
    .replace('%VERSION%', pkg.version);

  await writeFile(path.join(outDir, 'assets', 'app.js'), js);
  await writeFile(path.join(outDir, 'assets', 'app.css'), css);
  await writeFile(path.join(outDir, 'index.html'), html);
  await writeFile(path.join(outDir, 'healthz.txt'), 'ok\n');
  return outDir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await build(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  console.log(`built ${path.relative(process.cwd(), out) || '.'}/`);
}
