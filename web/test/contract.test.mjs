// The input contract, JavaScript's side: every case of tests/contract/cases.json that is not Python's
// alone, run through web/edgevae.mjs on the models of tests/contract_models.py, which `make test-web`
// builds into $EDGEVAE_CONTRACT_MODELS (tests/contract/test_contract.py runs the same cases in Python).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';

import { EdgeVAEError, loadEncoder, loadGenerator, loadLatentMap } from '../edgevae.mjs';
import { centreByMass } from '../mnist-form.mjs';
import { ROOT } from './reference.mjs';

const { cases } = JSON.parse(readFileSync(join(ROOT, 'tests', 'contract', 'cases.json'), 'utf8'));
const MODELS = process.env.EDGEVAE_CONTRACT_MODELS;
const TOLERANCE = 1e-4; // relative: the models sum hundreds of float32 values
const TYPES = { uint8: Uint8Array, int16: Int16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array };

/** A case's input as JavaScript gives it: plain arrays of numbers, or typed arrays (rows of them). */
function value(spec) {
  if (!spec?.array) return spec;
  const { shape, fill, type, at = [] } = spec.array;
  const itemSize = shape.slice(1).reduce((product, size) => product * size, 1);
  const values = Array.from({ length: shape[0] * itemSize }, (_, index) => Number(Array.isArray(fill) ? fill[Math.floor(index / itemSize)] : fill));
  for (const [index, number] of at) values[index] = Number(number);
  const nest = (flat, dims) => (dims.length === 1 ? (type === 'plain' ? flat : TYPES[type].from(flat))
    : Array.from({ length: dims[0] }, (_, index) => nest(flat.slice(index * flat.length / dims[0], (index + 1) * flat.length / dims[0]), dims.slice(1))));
  return nest(values, shape);
}

async function run(testCase) {
  const { call } = testCase;
  if (call === 'centre') {
    const [height, width] = testCase.digit.array.shape;
    const field = centreByMass(Float32Array.from(value(testCase.digit).flatMap((row) => Array.from(row))), width, height);
    const index = field.findIndex((pixel) => pixel !== 0);
    let left = 28;
    field.forEach((pixel, at) => { if (pixel !== 0) left = Math.min(left, at % 28); });
    return { origin: [Math.floor(index / 28), left] };
  }
  const folder = join(MODELS, testCase.model);
  if (call === 'latent_map') {
    const map = await loadLatentMap(folder);
    return { latents: map === null ? null : map.z.length };
  }
  const source = testCase.file ? join(folder, testCase.file) : folder;
  const role = { encode: 'encoder', load: testCase.role }[call] ?? 'generator';
  const model = await (role === 'encoder' ? loadEncoder : loadGenerator)(ort, source, { int8: testCase.int8 ?? false });
  if (call === 'load') return { image_shape: model.imageShape, latent_dim: model.latentDim };
  if (call === 'encode') return model.encode(value(testCase.images));
  if (call === 'generate') return { images: await model.generate(value(testCase.latents)) };
  return { images: await model.sample(testCase.n, { seed: testCase.seed, digit: testCase.digit }) };
}

function check(expected, got) {
  if ('origin' in expected || 'latent_dim' in expected || 'latents' in expected) return assert.deepEqual(got, expected);
  if ('z_mean' in expected) {
    for (const key of ['z_mean', 'z_log_var']) {
      assert.equal(got[key].length, expected[key].length);
      got[key].forEach((row, index) => row.forEach((number, axis) => {
        const want = expected[key][index][axis];
        assert.ok(Math.abs(number - want) <= TOLERANCE * Math.max(1, Math.abs(want)), `${key} ${number} vs ${want}`);
      }));
    }
    return undefined;
  }
  assert.equal(got.images.length, expected.images);
  got.images.forEach((image, index) => {
    assert.equal(image.length, expected.pixels);
    assert.ok(image.every((pixel) => pixel >= 0 && pixel <= 1), 'the generator\'s output is clipped on both sides');
    if (expected.values) assert.ok(image.every((pixel) => Math.abs(pixel - expected.values[index]) <= 1e-6), `image ${index}`);
  });
  return undefined;
}

for (const testCase of cases.filter((entry) => (entry.only ?? 'javascript') === 'javascript')) {
  test(testCase.name, { skip: MODELS ? false : 'EDGEVAE_CONTRACT_MODELS is not set (make test-web sets it)' }, async () => {
    if (testCase.error) {
      assert.equal(testCase.error.class, 'EdgeVAEError');
      await assert.rejects(run(testCase), (error) => {
        assert.ok(error instanceof EdgeVAEError, `${error}`);
        assert.ok(error.message.includes(testCase.error.message), error.message);
        return !error.message.includes('\n');
      });
    } else {
      check(testCase.expect, await run(testCase));
    }
  });
}
