// The latent explorer in Debian's headless Chromium: window.edgevae parity with the Python runtime,
// the pointer, the drawing pad, the digit buttons, a model without anchors or map, a phone-sized screen, a clean console, and no
// request leaving 127.0.0.1. EDGEVAE_SCREENSHOT=path also saves the README's screenshot.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { launchBrowser, recordProblems, startServer } from './browser.mjs';
import { BUNDLED_MODEL, PYTHON, ROOT, checkParity, loadReference, maxDifference, referenceFolder, temporaryFolder } from './reference.mjs';

const TOLERANCE = 1e-5;
// The top of a 2 on the pad (fractions of its size): an arc from lower left over to the right.
const TWO_ARC = Array.from({ length: 13 }, (_, step) => {
  const angle = Math.PI * (1.15 - (1.45 * step) / 12);
  return [0.5 + 0.2 * Math.cos(angle), 0.33 - 0.17 * Math.sin(angle)];
});
const problems = []; // console errors and warnings, page errors, failed or off-host requests
let reference;
let browser;
let servers;

before(async () => {
  const folder = referenceFolder();
  reference = loadReference(folder);
  servers = {
    bundled: await startServer(BUNDLED_MODEL),
    anchored: await startServer(join(folder, 'anchored')),
    bare: await startServer(join(folder, 'bare')),
  };
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  for (const server of Object.values(servers ?? {})) server.stop();
});

async function openPage(server, viewport = { width: 1280, height: 1000 }) {
  const page = await browser.newPage();
  await page.setViewportSize(viewport);
  recordProblems(page, problems);
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!(url.protocol === 'data:' || url.hostname === '127.0.0.1')) problems.push(`request off 127.0.0.1: ${request.url()}`);
  });
  await page.goto(server.url);
  await page.evaluate(() => window.edgevae.ready);
  return page;
}

/** The 28x28 canvas's pixels, 0-255. */
function canvasPixels(page, id) {
  return page.evaluate((canvasId) => {
    const { data } = document.getElementById(canvasId).getContext('2d').getImageData(0, 0, 28, 28);
    return Array.from({ length: 784 }, (_, index) => data[index * 4]);
  }, id);
}

async function generateBytes(page, z) {
  const [image] = await page.evaluate(async (point) => (await window.edgevae.generate([point])).map((row) => Array.from(row)), z);
  return image.map((value) => Math.round(Math.min(1, Math.max(0, value)) * 255));
}

test('window.edgevae matches the Python runtime on fixed latents and real MNIST digits', async () => {
  const page = await openPage(servers.bundled);
  assert.match(await checkParity(page, reference, TOLERANCE), /latents have 2 values/);
  await page.close();
});

test('moving the pointer over the plane draws the digit at that point', async () => {
  const page = await openPage(servers.bundled);
  const box = await page.locator('#plane').boundingBox();
  const seen = [];
  for (const [fx, fy] of [[0.5, 0.5], [0.3, 0.7], [0.7, 0.25]]) {
    await page.mouse.move(box.x + fx * box.width, box.y + fy * box.height);
    await page.waitForFunction((previous) => document.getElementById('point').dataset.z !== previous, seen.at(-1)?.json);
    await page.waitForTimeout(50); // a later move may still be drawing; let it settle
    const json = await page.locator('#point').getAttribute('data-z');
    const z = JSON.parse(json);
    assert.deepEqual(await canvasPixels(page, 'digit'), await generateBytes(page, z));
    seen.push({ json, z });
  }
  const [centre, lowerLeft, upperRight] = seen.map((entry) => entry.z);
  assert.ok(Math.abs(centre[0]) < 0.05 && Math.abs(centre[1]) < 0.05, `the plane's middle is z = (0, 0): ${centre}`);
  assert.ok(lowerLeft[0] < 0 && lowerLeft[1] < 0 && upperRight[0] > 0 && upperRight[1] > 0, 'y grows upwards');
  await page.close();
});

/** The majority digit among the latent map's 15 nearest points. */
function nearestDigit(map, [x, y]) {
  const nearest = map.z.map(([px, py], index) => [(px - x) ** 2 + (py - y) ** 2, map.digit[index]])
    .sort((a, b) => a[0] - b[0]).slice(0, 15);
  const votes = new Array(10).fill(0);
  for (const [, digit] of nearest) votes[digit]++;
  return votes.indexOf(Math.max(...votes));
}

async function draw(page, strokes) {
  const box = await page.locator('#pad').boundingBox();
  const before = await page.locator('#pad-z').getAttribute('data-z');
  for (const stroke of strokes) {
    const [[x0, y0], ...rest] = stroke;
    await page.mouse.move(box.x + x0 * box.width, box.y + y0 * box.height);
    await page.mouse.down();
    for (const [x, y] of rest) await page.mouse.move(box.x + x * box.width, box.y + y * box.height, { steps: 8 });
    await page.mouse.up();
  }
  await page.waitForFunction((previous) => {
    const label = document.getElementById('pad-z');
    return label.dataset.z && label.dataset.z !== previous;
  }, before);
  return JSON.parse(await page.locator('#pad-z').getAttribute('data-z'));
}

test('a digit drawn on the pad is encoded where the test set puts that digit, and reconstructed', async () => {
  const page = await openPage(servers.bundled);
  const map = JSON.parse(readFileSync(join(BUNDLED_MODEL, 'latent_map.json'), 'utf8'));
  const circle = Array.from({ length: 33 }, (_, step) => {
    const angle = (step / 32) * 2 * Math.PI;
    return [0.5 + 0.22 * Math.sin(angle), 0.5 - 0.32 * Math.cos(angle)];
  });
  for (const [digit, strokes] of [[1, [[[0.5, 0.15], [0.5, 0.85]]]], [0, [circle]]]) {
    await page.click('#clear');
    const z = await draw(page, strokes);
    assert.equal(nearestDigit(map, z), digit, `a drawn ${digit} landed at ${z}`);
    // The page names the digit the model read, as the encoder's digit head gives it.
    const read = page.locator('#pad-digit');
    assert.equal(await read.getAttribute('data-digit'), String(digit));
    assert.match(await read.textContent(), new RegExp(`Read as a ${digit} \\(\\d+% sure\\)`));
    // The page encoded exactly the input it shows, and drew that point's reconstruction.
    const input = JSON.parse(await page.locator('#pad-z').getAttribute('data-input'));
    const { z_mean: [expected] } = await page.evaluate(async (image) => {
      const result = await window.edgevae.encode([image]);
      return { z_mean: result.z_mean.map((row) => Array.from(row)) };
    }, input);
    assert.ok(maxDifference([z], [expected]) <= TOLERANCE);
    assert.deepEqual(await canvasPixels(page, 'pad-output'), await generateBytes(page, z));
    assert.equal(input.length, 784);
    assert.ok(Math.max(...input) === 1 && input.slice(0, 28).every((value) => value === 0), 'white on black, centred');
  }
  await page.close();
});

test('the pad prepares a drawing as the Python runtime\'s load_digit does (crop, fit 20x20, centre by mass)', async () => {
  const page = await openPage(servers.bundled);
  const folder = temporaryFolder('pad');
  const drawings = { two: [[...TWO_ARC, [0.3, 0.8], [0.72, 0.8]]], seven: [[[0.35, 0.2], [0.65, 0.2], [0.45, 0.85]]] };
  const pageInputs = {};
  for (const [name, strokes] of Object.entries(drawings)) {
    await page.click('#clear');
    await draw(page, strokes);
    const png = await page.evaluate(() => document.getElementById('pad').toDataURL('image/png'));
    writeFileSync(join(folder, `${name}.png`), Buffer.from(png.split(',')[1], 'base64'));
    pageInputs[name] = JSON.parse(await page.locator('#pad-z').getAttribute('data-input'));
  }
  writeFileSync(join(folder, 'inputs.json'), JSON.stringify(pageInputs));
  const compare = `
import json, sys
from pathlib import Path
import numpy as np
from edgevae.runtime import Encoder, load_digit
folder = Path(sys.argv[1])
encoder = Encoder()
for name, pixels in json.loads((folder / "inputs.json").read_text()).items():
    page, python = np.array(pixels, np.float32).reshape(28, 28), load_digit(folder / f"{name}.png")
    z_page, z_python = encoder.encode(page)[0][0], encoder.encode(python)[0][0]
    print(name, float(np.abs(page - python).mean()), float(np.abs(z_page - z_python).max()))
`;
  for (const line of execFileSync(PYTHON, ['-c', compare, folder], { encoding: 'utf8' }).trim().split('\n')) {
    const [name, meanPixelDifference, latentDifference] = line.split(' ');
    // Resampling differs (the canvas's smoothing against Pillow's Lanczos), so pixels differ a little.
    assert.ok(Number(meanPixelDifference) < 0.02 && Number(latentDifference) < 0.1, line);
  }
  await page.close();
});

test('digit buttons appear when the model has anchors, and draw the anchor\'s digit', async () => {
  const page = await openPage(servers.anchored);
  const anchors = await page.evaluate(async () => (await fetch('model/manifest.json').then((r) => r.json())).digit_anchors);
  assert.equal(await page.locator('#anchor-buttons button').count(), 10);
  for (const digit of [7, 0]) {
    await page.click(`#anchor-buttons button[data-digit="${digit}"]`);
    await page.waitForFunction((anchor) => document.getElementById('point').dataset.z === JSON.stringify(anchor), anchors[digit].anchor);
    assert.deepEqual(await canvasPixels(page, 'digit'), await generateBytes(page, anchors[digit].anchor));
  }
  await page.close();
});

test('a model without anchors or a latent map: no digit buttons, no map, and a drawn digit still encodes', async () => {
  const page = await openPage(servers.bare);
  const manifest = await page.evaluate(() => fetch('model/manifest.json').then((response) => response.json()));
  assert.ok(!('digit_anchors' in manifest) && !('latent_map' in manifest), 'the manifest is stripped');
  assert.equal(await page.locator('#anchors').isVisible(), false);
  assert.equal(await page.locator('#anchor-buttons button').count(), 0);
  assert.equal(await page.locator('#legend li').count(), 0);
  assert.match(await page.locator('#status').textContent(), /^Model loaded/);
  const z = await draw(page, [[[0.5, 0.15], [0.5, 0.85]]]); // a 1
  assert.equal(await page.locator('#pad-digit').getAttribute('data-digit'), '1');
  const input = JSON.parse(await page.locator('#pad-z').getAttribute('data-input'));
  const expected = await page.evaluate(async (image) => Array.from((await window.edgevae.encode([image])).z_mean[0]), input);
  assert.ok(maxDifference([z], [expected]) <= TOLERANCE);
  assert.deepEqual(await canvasPixels(page, 'pad-output'), await generateBytes(page, z));
  await page.close();
});

test('a phone-sized screen shows every panel without sideways scrolling', async () => {
  const page = await openPage(servers.anchored, { width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow} pixels wider than the screen`);
  for (const id of ['plane', 'digit', 'pad', 'manifold']) {
    const box = await page.locator(`#${id}`).boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 390, `#${id} fits the screen`);
  }
  await page.close();
});

test('screenshot of the page that make web serves', async () => {
  const page = await openPage(servers.bundled);
  const plane = await page.locator('#plane').boundingBox();
  await page.mouse.move(plane.x + 0.62 * plane.width, plane.y + 0.3 * plane.height);
  await draw(page, [[...TWO_ARC, [0.3, 0.8], [0.72, 0.8]]]); // a 2
  const png = await page.screenshot({ path: process.env.EDGEVAE_SCREENSHOT, fullPage: true });
  assert.ok(png.length > 20_000);
  await page.close();
});

test('the server serves the page, onnxruntime-web and the model folder, and nothing else', async () => {
  const status = async (path) => (await fetch(new URL(path, servers.bundled.url))).status;
  for (const path of ['', 'app.mjs', 'ort/ort-wasm-simd-threaded.wasm', 'model/generator.onnx', 'model/latent_map.json']) {
    assert.equal(await status(path), 200, path);
  }
  for (const path of ['serve.py', 'test/reference.py', 'node_modules/onnxruntime-web/package.json', 'ort/ort.min.mjs',
    'model/__init__.py/x', 'model/%2e%2e/manifest.json', '.npmrc', '..%2fMakefile', 'model/']) {
    assert.equal(await status(path), 404, path);
  }
});

test('the README\'s browser snippet runs as written in a page served beside edgevae.mjs', async () => {
  // The block marked <!-- run by: make test-web -->, in a module script after a canvas holding a drawn 7.
  const snippet = execFileSync(PYTHON, [join(ROOT, 'tests', 'readme_snippets.py'), 'run by: make test-web'], { encoding: 'utf8' });
  const html = `<!doctype html><canvas width="280" height="280"></canvas>
<script>
  const context = document.querySelector('canvas').getContext('2d');
  context.fillStyle = 'black';
  context.fillRect(0, 0, 280, 280);
  Object.assign(context, { strokeStyle: 'white', lineWidth: 24, lineCap: 'round', lineJoin: 'round' });
  context.beginPath();
  context.moveTo(80, 60);
  context.lineTo(200, 60);
  context.lineTo(120, 230);
  context.stroke();
</script>
<script type="module">
${snippet}
window.snippetResult = { pixels: Array.from(pixels), zMean: Array.from(z_mean[0]), drawing: Array.from(drawing) };
</script>`;
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const url = `${servers.bundled.url}readme-snippet.html`;
  await page.route(url, (route) => route.fulfill({ contentType: 'text/html', body: html }));
  await page.goto(url);
  await page.waitForFunction(() => window.snippetResult !== undefined, null, { timeout: 30_000 })
    .catch(() => assert.fail(`the snippet did not finish: ${errors.join('; ') || 'no error either'}`));
  const { pixels, zMean, drawing } = await page.evaluate(() => window.snippetResult);
  assert.deepEqual(errors, []);
  assert.equal(pixels.length, 784);
  assert.ok(pixels.every((value) => value >= 0 && value <= 1));
  assert.equal(drawing.length, 784);
  assert.equal(zMean.length, 2);
  // The same drawing through the page's own encoder lands on the same code.
  const reopened = await openPage(servers.bundled);
  const { z_mean: expected } = await reopened.evaluate(async (image) => {
    const { z_mean } = await window.edgevae.encode([Float32Array.from(image)]);
    return { z_mean: Array.from(z_mean[0]) };
  }, drawing);
  assert.ok(maxDifference([zMean], [expected]) <= TOLERANCE);
  await reopened.close();
  await page.close();
});

test('the console stayed clean and no request left 127.0.0.1', () => {
  assert.deepEqual(problems, []);
});
