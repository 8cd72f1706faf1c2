// Builds the service into dist/: the modules from src/ plus dist/build-info.json.
// A stand-in for a real bundler (esbuild, tsc...): the runtime image needs only dist/.
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export async function build(outDir = path.join(here, 'dist')) {
  const pkg = JSON.parse(await readFile(path.join(here, 'package.json'), 'utf8'));
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  await cp(path.join(here, 'src'), outDir, { recursive: true });
  await writeFile(path.join(outDir, 'build-info.json'), `${JSON.stringify({ name: pkg.name, version: pkg.version })}\n`);
  return outDir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await build();
  console.log('built dist/');
}
