// Builds src/ into dist/: Babel compiles the script for older browsers, Terser minifies it. Both are
// real npm packages (devDependencies, about 140 installed packages with theirs): the build stage needs
// them, the image that serves dist/ does not.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { transformAsync } from '@babel/core';
import { minify } from 'terser';

const page = await readFile('src/index.html', 'utf8');
const script = await readFile('src/app.js', 'utf8');
const { version } = JSON.parse(await readFile('package.json', 'utf8'));

const compiled = await transformAsync(script, {
  filename: 'app.js', babelrc: false, configFile: false,
  presets: [['@babel/preset-env', { targets: 'defaults', modules: false }]],
});
const { code } = await minify(compiled.code, { compress: true, mangle: true });

await rm('dist', { recursive: true, force: true });
await mkdir('dist', { recursive: true });
await writeFile('dist/index.html', page.replace('%VERSION%', version));
await writeFile('dist/app.js', `${code}\n`);
await writeFile('dist/healthz', 'ok\n');
console.log(`built dist/ (app.js: ${script.length} -> ${code.length} bytes)`);
