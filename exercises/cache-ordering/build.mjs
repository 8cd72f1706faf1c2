// Builds the service into dist/: Babel compiles each module of src/ for the Node version the image runs,
// Terser minifies it, and dist/build-info.json records the version. Babel and Terser are real npm
// packages (devDependencies, about 140 installed packages with theirs): the build stage needs them, the
// runtime image needs only dist/.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export async function build(outDir = path.join(here, 'dist')) {
  const { transformAsync } = await import('@babel/core');
  const { minify } = await import('terser');
  const pkg = JSON.parse(await readFile(path.join(here, 'package.json'), 'utf8'));
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  for (const name of await readdir(path.join(here, 'src'))) {
    const source = await readFile(path.join(here, 'src', name), 'utf8');
    const compiled = await transformAsync(source, {
      filename: name, babelrc: false, configFile: false,
      presets: [['@babel/preset-env', { targets: { node: '20' }, modules: false }]],
    });
    const { code } = await minify(compiled.code, { module: true, compress: true, mangle: true });
    await writeFile(path.join(outDir, name), `${code}\n`);
  }
  await writeFile(path.join(outDir, 'build-info.json'), `${JSON.stringify({ name: pkg.name, version: pkg.version })}\n`);
  return outDir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await build();
  console.log('built dist/');
}
