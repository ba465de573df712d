// web/edgevae.mjs under Node with onnxruntime-node: parity with the Python runtime, and its checks.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { before, describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';

import { EdgeVAEError, loadEncoder, loadGenerator, loadLatentMap } from '../edgevae.mjs';
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
      }
    });
  });
}

test('sources: a folder path, a file: URL, an .onnx path and raw bytes give the same images', async () => {
  const z = Float32Array.from(reference.latents.flat());
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

test('the manifold grid is the Python runtime\'s', () => {
  assert.ok(maxDifference(chunk(manifoldGrid(20, 0.95), 2), reference.manifold) <= 1e-6);
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

test('bad latents fail with clear errors', async () => {
  const generator = await loadGenerator(ort, BUNDLED_MODEL);
  const cases = [
    [[[0, 0, 0]], /latents have 2 values, got an array shaped \[1, 3\]/],
    [[0, 0, 0], /latents have 2 values, got 3 values/],
    [[[0, Number.NaN]], /finite numbers, got NaN or infinity/],
    [new Float32Array([0, Infinity]), /finite numbers/],
    [[[0, '1']], /latents must be numbers/],
    [[[0, 1], [2]], /rows of different lengths/],
    ['0,1', /latents must be numbers/],
    [[], /no latents given/],
  ];
  for (const [input, message] of cases) {
    await assert.rejects(generator.generate(input), (error) => error instanceof EdgeVAEError && message.test(error.message));
  }
});

test('bad images fail with clear errors', async () => {
  const encoder = await loadEncoder(ort, BUNDLED_MODEL);
  const cases = [
    [[new Array(783).fill(0)], /784 pixels .*got an array shaped \[1, 783\]/],
    [new Float32Array(785), /got 785 values/],
    [[new Array(784).fill(255)], /float images must hold pixels in \[0, 1\], got 255 to 255/],
    [[new Array(784).fill(Number.NaN)], /NaN or infinite/],
    [[Int16Array.from({ length: 784 }, () => 300)], /integer images must hold pixel values 0-255/],
    [{ length: 784 }, /got object/],
  ];
  for (const [input, message] of cases) {
    await assert.rejects(encoder.encode(input), (error) => error instanceof EdgeVAEError && message.test(error.message));
  }
});

test('bad model sources fail with clear errors', async () => {
  const folder = temporaryFolder('models');
  writeFileSync(join(folder, 'empty.onnx'), '');
  writeFileSync(join(folder, 'broken.onnx'), 'not a model');
  copyFileSync(join(BUNDLED_MODEL, 'encoder.onnx'), join(folder, 'encoder.onnx'));
  writeFileSync(join(folder, 'manifest.json'), JSON.stringify({ latent_dim: 2, latent_map: 'latent_map.json' }));
  writeFileSync(join(folder, 'latent_map.json'), '{"z": [[0, 0]], "digit": [');
  const cases = [
    [() => loadGenerator(ort, join(folder, 'absent')), /generator.onnx.*no such file/],
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

function chunk(flat, size) {
  return Array.from({ length: flat.length / size }, (_, index) => Array.from(flat.subarray(index * size, (index + 1) * size)));
}
