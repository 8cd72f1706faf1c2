import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tipOf, tips } from '../src/tips.mjs';
import { start } from '../src/server.mjs';

test('tipOf picks a numbered tip and wraps around', () => {
  assert.equal(tipOf(1).tip, tips[0]);
  assert.equal(tipOf(tips.length + 2).id, 2);
});

test('tipOf without a number picks by day', () => {
  const t = tipOf(undefined, new Date(Date.UTC(2024, 0, 3)));
  assert.equal(t.id, 3);
});

test('the server answers / and /healthz', async () => {
  const server = start(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  try {
    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(await health.text(), 'ok\n');
    const body = await (await fetch(`${base}/?n=2`)).json();
    assert.equal(body.id, 2);
    assert.equal(body.service, 'stagewise-tips');
    assert.equal((await fetch(`${base}/nope`)).status, 404);
  } finally {
    server.close();
  }
});
