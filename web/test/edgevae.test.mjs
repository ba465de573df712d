// web/edgevae.mjs under Node with onnxruntime-node: parity with the Python runtime, and its checks.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { before, describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';

import { EdgeVAEError, loadEncoder, loadGenerator, loadLatentMap, parsePrior, sampleMixture, seededRandom } from '../edgevae.mjs';
import { manifoldGrid } from '../manifold.mjs';
import { BUNDLED_MODEL, PYTHON, ROOT, loadReference, maxDifference, referenceFolder, temporaryFolder } from './reference.mjs';

const TOLERANCE = 1e-5;
let reference;
let anchoredModel;

before(() => {
  const folder = referenceFolder();
  reference = loadReference(folder);
  anchoredModel = join(folder, 'anchored');
});

for (const precision of ['fp32', 'int8']) {
  describe(`${precision} models match the Python runtime`, () => {
    const options = { int8: precision === 'int8' };

    test('generate on fixed latents', async () => {
      const generator = await loadGenerator(ort, BUNDLED_MODEL, options);
      const images = await generator.generate(reference.latents);
      assert.equal(images.length, reference.latents.length);
      assert.equal(images[0].length, 784);
      assert.ok(maxDifference(images, reference[precision].generated) <= TOLERANCE);
    });

    test('encode real MNIST test digits (uint8 and [0, 1] floats alike)', async () => {
      const encoder = await loadEncoder(ort, BUNDLED_MODEL, options);
      const fromFloats = await encoder.encode(reference.images.map((image) => image.map((value) => value / 255)));
      const fromBytes = await encoder.encode(reference.images.map((image) => Uint8Array.from(image)));
      for (const result of [fromFloats, fromBytes]) {
        assert.ok(maxDifference(result.z_mean, reference[precision].z_mean) <= TOLERANCE);
        assert.ok(maxDifference(result.z_log_var, reference[precision].z_log_var) <= TOLERANCE);
        assert.ok(maxDifference(result.digit_probabilities, reference[precision].digit_probabilities) <= TOLERANCE);
      }
      // The digit it names is the head's most probable one, with that probability; here, the true digit.
      const expected = reference[precision].digit_probabilities.map((row) => row.indexOf(Math.max(...row)));
      assert.ok(encoder.knowsDigits);
      assert.deepEqual(fromBytes.digit, expected);
      assert.deepEqual(fromBytes.digit, reference.labels);
      fromBytes.probability.forEach((probability, index) => {
        assert.ok(Math.abs(probability - reference[precision].digit_probabilities[index][expected[index]]) <= TOLERANCE);
      });
    });
  });
}

test('sources: a folder path, a file: URL, an .onnx path and raw bytes give the same images', async () => {
  const z = reference.latents.map((latent) => Float32Array.from(latent));
  const path = join(BUNDLED_MODEL, 'generator.onnx');
  const sources = [BUNDLED_MODEL, pathToFileURL(`${BUNDLED_MODEL}/`).href, path, await readFile(path)];
  for (const source of sources) {
    const generator = await loadGenerator(ort, source);
    assert.equal(generator.latentDim, 2);
    assert.ok(maxDifference(await generator.generate(z), reference.fp32.generated) <= TOLERANCE, String(source).slice(0, 60));
  }
});

test('shapes the Python runtime accepts: one latent, one image, rows of 28 pixels', async () => {
  const generator = await loadGenerator(ort, BUNDLED_MODEL);
  const [one] = await generator.generate(reference.latents[0]);
  assert.ok(maxDifference([one], [reference.fp32.generated[0]]) <= TOLERANCE);
  const encoder = await loadEncoder(ort, BUNDLED_MODEL);
  const image = Uint8Array.from(reference.images[0]);
  const rows = Array.from({ length: 28 }, (_, row) => image.subarray(row * 28, row * 28 + 28));
  const floatRows = rows.map((row) => Array.from(row, (value) => value / 255));
  for (const input of [image, rows, [rows], floatRows]) {
    const { z_mean } = await encoder.encode(input);
    assert.equal(z_mean.length, 1);
    assert.ok(maxDifference(z_mean, [reference.fp32.z_mean[0]]) <= TOLERANCE);
  }
});

test('the manifold grid is the Python runtime\'s, for N(0, I) and for the model\'s prior', async () => {
  assert.ok(maxDifference(manifoldGrid(20, 0.95), reference.manifold) <= 1e-6);
  const { prior } = await loadGenerator(ort, BUNDLED_MODEL);
  // Bisection on a CDF whose erf is good to 1.2e-7: quantiles agree far below a pixel of the plane.
  assert.ok(maxDifference(manifoldGrid(20, 0.95, prior), reference.prior_manifold) <= 1e-4);
});

test('sampling draws from the model\'s prior as Python does (the same distribution, its own seeded numbers)', async () => {
  const generator = await loadGenerator(ort, BUNDLED_MODEL);
  const manifest = JSON.parse(await readFile(join(BUNDLED_MODEL, 'manifest.json'), 'utf8'));
  assert.deepEqual(generator.prior.means, manifest.prior.means);
  assert.equal(generator.prior.weights.length, 100);
  for (const [options, moments] of [[{ seed: 0 }, reference.prior_moments], [{ seed: 0, digit: 7 }, reference.seven_moments]]) {
    const samples = generator.sampleLatents(100_000, options);
    const { mean, variance } = momentsOf(samples);
    // 100,000 draws on each side: the means' standard error is about 0.005 per unit of spread.
    mean.forEach((value, axis) => assert.ok(Math.abs(value - moments.mean[axis]) <= 0.03 * Math.sqrt(moments.var[axis]) + 0.01, `${JSON.stringify(options)} mean ${mean} vs ${moments.mean}`));
    variance.forEach((value, axis) => assert.ok(Math.abs(value / moments.var[axis] - 1) <= 0.03, `${JSON.stringify(options)} var ${variance} vs ${moments.var}`));
  }
  assert.deepEqual(generator.sampleLatents(5, { seed: 3 }), generator.sampleLatents(5, { seed: 3 }));
  assert.notDeepEqual(generator.sampleLatents(5, { seed: 3 }), generator.sampleLatents(5, { seed: 4 }));
  const images = await generator.sample(4, { seed: 1, digit: 2 });
  assert.equal(images.length, 4);
  assert.ok(maxDifference(images, await generator.generate(generator.sampleLatents(4, { seed: 1, digit: 2 }))) === 0);
  for (const [n, options, message] of [[0, {}, /number of samples must be a whole number 1 or more/], [2, { seed: -1 }, /seed must be/], [2, { digit: 10 }, /0 to 9/]]) {
    assert.throws(() => generator.sampleLatents(n, options), (error) => error instanceof EdgeVAEError && message.test(error.message));
  }
});

test('the contract\'s version and prior are checked as in Python', async () => {
  const folder = temporaryFolder('versions');
  copyFileSync(join(BUNDLED_MODEL, 'generator.onnx'), join(folder, 'generator.onnx'));
  const manifest = JSON.parse(await readFile(join(BUNDLED_MODEL, 'manifest.json'), 'utf8'));
  const cases = [
    [{ ...manifest, format_version: 3 }, /format_version '3', which this edgevae cannot read \(it reads 1, 2\)/],
    [{ ...manifest, prior: { ...manifest.prior, weights: manifest.prior.weights.map((w) => 2 * w) } }, /unreadable prior metadata: weights must .* sum to 1/],
    [{ ...manifest, prior: { weights: [1], means: [[0]], log_vars: [[0]] } }, /means and log_vars must be 1 lists of 2 numbers/],
  ];
  for (const [broken, message] of cases) {
    writeFileSync(join(folder, 'manifest.json'), JSON.stringify(broken));
    const prior = async () => (await loadGenerator(ort, folder)).prior; // read when first asked for
    await assert.rejects(prior(), (error) => error instanceof EdgeVAEError && message.test(error.message));
  }
  const standard = parsePrior(undefined, 2); // a format-1 model's: N(0, I)
  assert.deepEqual(standard, { weights: [1], means: [[0, 0]], logVars: [[0, 0]] });
  const { mean, variance } = momentsOf(sampleMixture(standard, 50_000, seededRandom(5)));
  assert.ok(mean.every((value) => Math.abs(value) < 0.02) && variance.every((value) => Math.abs(value - 1) < 0.03));
  const lone = await loadGenerator(ort, join(folder, 'generator.onnx')); // no manifest: the file's own prior
  assert.deepEqual(lone.prior.weights.length, manifest.prior.weights.length);
});

test('manifest facts: latent map, and digit anchors only when the export has them', async () => {
  const bundled = await loadGenerator(ort, BUNDLED_MODEL);
  assert.equal(bundled.manifest.latent_dim, 2);
  const map = await loadLatentMap(BUNDLED_MODEL);
  assert.equal(map.z.length, 2000);
  assert.deepEqual([...new Set(map.digit)].sort(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const anchored = await loadGenerator(ort, anchoredModel);
  assert.deepEqual(anchored.digitAnchors.map((entry) => entry.digit), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(anchored.digitAnchors[7].anchor.length, 2);
});

// Bad latents and images: tests/contract/cases.json, run by contract.test.mjs.

test('bad model sources fail with clear errors', async () => {
  const folder = temporaryFolder('models');
  writeFileSync(join(folder, 'empty.onnx'), '');
  writeFileSync(join(folder, 'broken.onnx'), 'not a model');
  copyFileSync(join(BUNDLED_MODEL, 'encoder.onnx'), join(folder, 'encoder.onnx'));
  writeFileSync(join(folder, 'manifest.json'), JSON.stringify({ latent_dim: 2, latent_map: 'latent_map.json' }));
  writeFileSync(join(folder, 'latent_map.json'), '{"z": [[0, 0]], "digit": [');
  const cases = [
    [() => loadGenerator(ort, join(folder, 'absent')), /generator.onnx not found in/],
    [() => loadGenerator(ort, join(folder, 'empty.onnx')), /empty.onnx: the file is empty/],
    [() => loadGenerator(ort, join(folder, 'broken.onnx')), /broken.onnx: not a valid ONNX model/],
    [() => loadGenerator(ort, join(folder, 'encoder.onnx')), /is an encoder model, but a generator model is needed/],
    [() => loadGenerator(ort, BUNDLED_MODEL, { format: 'ort' }), /generator.ort not found.*--ort/],
    [() => loadGenerator({}, BUNDLED_MODEL), /pass the onnxruntime namespace/],
    [() => loadLatentMap(folder), /cannot read .*latent_map.json: Unexpected end of JSON/],
  ];
  for (const [load, message] of cases) {
    await assert.rejects(load(), (error) => error instanceof EdgeVAEError && message.test(error.message));
  }
});

test('the Node example writes a PNG grid of digits that an independent decoder reads', () => {
  const out = join(temporaryFolder('example'), 'digits.png');
  execFileSync(process.execPath, [join(ROOT, 'web', 'examples', 'generate-png.mjs'), out, '9'], { stdio: 'pipe' });
  // Pillow decodes it; each 28x28 tile holds a bright stroke on a mostly black background.
  const check = `
import sys
import numpy as np
from PIL import Image
image = Image.open(sys.argv[1])
pixels = np.asarray(image)
tiles = [pixels[2 + row * 30 : row * 30 + 30, 2 + column * 30 : column * 30 + 30] for row in range(3) for column in range(3)]
print(image.mode, image.size, min(int(tile.max()) for tile in tiles), max(float((tile > 128).mean()) for tile in tiles))
`;
  const [mode, width, height, dimmest, busiest] = execFileSync(PYTHON, ['-c', check, out], { encoding: 'utf8' })
    .replace(/[(),]/g, ' ').trim().split(/\s+/);
  assert.deepEqual([mode, Number(width), Number(height)], ['L', 92, 92]);
  assert.ok(Number(dimmest) > 128 && Number(busiest) < 0.4, `${dimmest} ${busiest}`);
});

test('the Node example refuses bad arguments in one line, with status 2, and writes nothing', () => {
  const folder = temporaryFolder('example-arguments');
  const example = join(ROOT, 'web', 'examples', 'generate-png.mjs');
  for (const [args, message] of [
    [[], /give the PNG to write/],
    [[join(folder, 'digits.png'), 'many'], /COUNT must be a whole number from 1 to 10,000, got "many"/],
    [[join(folder, 'digits.png'), '0'], /COUNT must be/],
    [[join(folder, 'digits.png'), '2.5'], /COUNT must be/],
    [[join(folder, 'digits.txt')], /OUT must be a \.png file/],
  ]) {
    const result = spawnSync(process.execPath, [example, ...args], { cwd: folder, encoding: 'utf8' });
    assert.equal(result.status, 2, result.stderr);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 2, result.stderr); // the usage line, then the error
    assert.match(lines[1], message);
  }
  const result = spawnSync(process.execPath, [example, join(folder, 'digits.png'), '4', join(folder, 'absent')], {
    encoding: 'utf8',
  });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /^Error: [^\n]*absent[^\n]*\n$/);
  assert.deepEqual(readdirSync(folder), []);
});

function momentsOf(samples) {
  const mean = [0, 1].map((axis) => samples.reduce((sum, point) => sum + point[axis], 0) / samples.length);
  const variance = [0, 1].map((axis) => samples.reduce((sum, point) => sum + (point[axis] - mean[axis]) ** 2, 0) / samples.length);
  return { mean, variance };
}
