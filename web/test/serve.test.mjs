// The same page served by `edgevae serve` (the Python package alone, no node on the server's PATH),
// computing through the server's API: window.edgevae parity with the Python runtime, the server's
// errors, the drawing pad, the digit buttons, a clean console. Prints page weight and time to ready.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { after, before, test } from 'node:test';

import { launchBrowser, recordProblems } from './browser.mjs';
import { PYTHON, checkParity, loadReference, maxDifference, referenceFolder } from './reference.mjs';

const TOLERANCE = 1e-5;
const problems = [];
let reference;
let browser;
let server;

/** `python -m edgevae.runtime.cli serve --port 0`, with only the venv's bin/ on PATH: no node. */
function startEdgevaeServe() {
  const child = spawn(PYTHON, ['-m', 'edgevae.runtime.cli', 'serve', '--port', '0', '--quiet'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PATH: dirname(PYTHON) },
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.on('exit', (code) => reject(new Error(`edgevae serve exited with ${code}: ${output}`)));
    child.stderr.on('data', (chunk) => {
      output += chunk;
      const match = output.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (match) resolve({ url: match[0], stop: () => child.kill('SIGTERM') });
    });
  });
}

before(async () => {
  reference = loadReference(referenceFolder());
  server = await startEdgevaeServe();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

async function openPage() {
  const page = await browser.newPage();
  recordProblems(page, problems);
  await page.goto(server.url);
  await page.evaluate(() => window.edgevae.ready);
  return page;
}

test('the page computes through the API, as the Python runtime does', async () => {
  const page = await openPage();
  assert.match(await checkParity(page, reference, TOLERANCE), /^EdgeVAEError: this model's latents have 2 values/);
  problems.length = 0; // the refused request above answered 400 on purpose
  await page.close();
});

test('a digit drawn on the pad is encoded and reconstructed by the server', async () => {
  const page = await openPage();
  const box = await page.locator('#pad').boundingBox();
  await page.mouse.move(box.x + 0.3 * box.width, box.y + 0.2 * box.height);
  await page.mouse.down();
  for (const [fx, fy] of [[0.7, 0.2], [0.45, 0.85]]) await page.mouse.move(box.x + fx * box.width, box.y + fy * box.height, { steps: 8 });
  await page.mouse.up();
  await page.waitForFunction(() => document.getElementById('pad-z').dataset.z);
  const { z, input } = await page.evaluate(() => ({
    z: JSON.parse(document.getElementById('pad-z').dataset.z), input: JSON.parse(document.getElementById('pad-z').dataset.input),
  }));
  const { z_mean: [expected] } = await page.evaluate(async (pixels) => {
    const answer = await fetch('v1/encode', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ pixels: [pixels] }) });
    return { z_mean: (await answer.json()).encodings.map((record) => record.z_mean) };
  }, input);
  assert.ok(maxDifference([z], [expected]) <= 1e-6);
  await page.close();
});

test('the digit buttons draw each anchor\'s digit', async () => {
  const page = await openPage();
  const anchors = await page.evaluate(async () => (await fetch('v1/info').then((r) => r.json())).digit_anchors);
  assert.equal(await page.locator('#anchor-buttons button').count(), 10);
  for (const digit of [7, 0]) {
    await page.click(`#anchor-buttons button[data-digit="${digit}"]`);
    await page.waitForFunction((anchor) => document.getElementById('point').dataset.z === JSON.stringify(anchor), anchors[digit].anchor);
  }
  await page.close();
});

test('page weight and time to ready (printed), and a clean console', async () => {
  const page = await browser.newPage();
  let bytes = 0;
  let requests = 0;
  page.on('response', async (response) => {
    requests += 1;
    bytes += (await response.body().catch(() => Buffer.alloc(0))).length;
  });
  const start = Date.now();
  await page.goto(server.url);
  await page.evaluate(() => window.edgevae.ready);
  const ready = Date.now() - start;
  await page.waitForLoadState('networkidle');
  console.log(`edgevae serve page: ${requests} requests, ${(bytes / 1024).toFixed(0)} KiB, ready in ${ready} ms`);
  await page.close();
  assert.deepEqual(problems, []);
});
