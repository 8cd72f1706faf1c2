import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build, stripCss, stripJs } from '../build.mjs';

test('stripJs drops whole-line comments', () => {
  assert.equal(stripJs('// hi\nconst a = 1;\n'), 'const a = 1;\n');
});

test('stripCss drops comments and blank lines', () => {
  assert.equal(stripCss('/* x */\na {\n\n  color: red;\n}\n'), 'a {\n  color: red;\n}\n');
});

test('build writes the page, its assets and the health file', async () => {
  const out = await mkdtemp(path.join(tmpdir(), 'stagewise-dist-'));
  try {
    await build(out);
    const html = await readFile(path.join(out, 'index.html'), 'utf8');
    assert.match(html, /Stagewise packing list/);
    assert.match(html, /src="\/assets\/app\.js"/);
    assert.match(html, /href="\/assets\/app\.css"/);
    assert.doesNotMatch(html, /%[A-Z]+%/);
    assert.match(await readFile(path.join(out, 'assets', 'app.js'), 'utf8'), /DOMContentLoaded/);
    assert.match(await readFile(path.join(out, 'assets', 'app.css'), 'utf8'), /font-family/);
    assert.equal(await readFile(path.join(out, 'healthz.txt'), 'utf8'), 'ok\n');
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
