/**
 * edgevae in JavaScript: run an exported encoder and generator with onnxruntime, in a browser
 * (onnxruntime-web) or in Node.js (onnxruntime-node). The caller passes the `ort` namespace it
 * imported, so this one module serves both hosts and never picks a backend itself.
 *
 *   import * as ort from 'onnxruntime-node';               // or 'onnxruntime-web'
 *   import { loadGenerator } from './edgevae.mjs';
 *   const generator = await loadGenerator(ort, 'model/'); // a folder, an .onnx/.ort file, or bytes
 *   const [image] = await generator.generate([[0.5, -1]]); // Float32Array(784) in [0, 1]
 *
 * Inputs follow the Python runtime's rules case for case (tests/contract/cases.json, the README's
 * "Input contract"): bad input raises an EdgeVAEError with a one-line message.
 */

// The page's canvas-to-MNIST helper, part of the package: a drawing -> the encoder's 784 pixels.
export { mnistForm } from './mnist-form.mjs';

// The exporter's contract: tensor names for each role (runtime/session.py SIGNATURES).
const SIGNATURES = {
  encoder: { inputs: ['image'], outputs: ['z_mean', 'z_log_var'] },
  generator: { inputs: ['z'], outputs: ['image'] },
};
const DIGIT_OUTPUT = 'digit_probabilities'; // the encoder's digit head (format 2), [batch, 10]
const FORMAT_VERSIONS = [1, 2]; // of the contract this module reads (runtime/session.py FORMAT_VERSIONS)
const WEIGHT_TOLERANCE = 1e-4; // the prior's stored weights must sum to 1 within this (runtime/prior.py)
const MAX_IMAGES = 100_000_000; // images in one call (runtime/limits.py)
const MAX_JSON_FILE_BYTES = 64 * 1024 * 1024; // a manifest or a latent map (runtime/limits.py)
const FLOAT32_MAX = 3.4028234663852886e38;

export class EdgeVAEError extends Error {
  constructor(message) {
    super(message);
    this.name = 'EdgeVAEError';
  }
}

/**
 * Load a generator. `source` is a model folder (URL or path; its manifest.json is read when there),
 * an .onnx or .ort file, or the model's bytes. Options: `int8` (the folder's generator.int8.onnx),
 * `format` ('onnx' or 'ort' inside a folder), `sessionOptions` (passed to onnxruntime).
 */
export async function loadGenerator(ort, source, options = {}) {
  return loadModel(ort, source, 'generator', options, ({ session, latentDim, height, width, facts, where }) => {
    let prior;
    let anchors;
    const generator = {
      /** The model's prior { weights, means, logVars } (N(0, I) for format 1), read when first asked for. */
      get prior() {
        return (prior ??= parsePrior(metadataJSON(facts.prior, 'prior', where), latentDim, where));
      },
      /** The "ask for a digit" anchors, checked as runtime/digits.py does; null when the export has none. */
      get digitAnchors() {
        return (anchors ??= parseDigitAnchors(metadataJSON(facts.digit_anchors, 'digit_anchors', where), latentDim, where));
      },
      /** n images, each a Float32Array of height*width pixels in [0, 1], for latents [latent] or [n, latent]. */
      async generate(z) {
        const { data, count } = asLatents(z, latentDim);
        const feeds = { z: new ort.Tensor('float32', data, [count, latentDim]) };
        const { image } = await session.run(feeds);
        // The sigmoid can land a hair outside [0, 1]; Python clips too (runtime/generator.py).
        return rows(image.data.map((value) => Math.min(Math.max(value, 0), 1)), count, height * width);
      },
      /**
       * n latents [n][latent] from the model's own prior, or with `digit` from that digit's anchors (a random
       * point plus N(0, scale^2) jitter), as the Python runtime draws them; the same seed, the same latents
       * (this module's own generator: not numpy's numbers, the same distribution).
       */
      sampleLatents(n, { seed, digit } = {}) {
        wholeNumber(n, 'the number of samples', 1);
        if (n > MAX_IMAGES) throw new EdgeVAEError(`${n.toLocaleString('en-US')} samples in one call; at most ${MAX_IMAGES.toLocaleString('en-US')}`);
        const random = seededRandom(seed);
        if (digit !== undefined && digit !== null) {
          wholeNumber(digit, 'the digit', 0, 9);
          if (!generator.digitAnchors) throw new EdgeVAEError(NO_ANCHORS);
          return digitLatents(generator.digitAnchors[digit], n, random);
        }
        return sampleMixture(generator.prior, n, random);
      },
      /** n images from sampleLatents(n, { seed, digit }). */
      async sample(n, options = {}) {
        return generator.generate(generator.sampleLatents(n, options));
      },
    };
    return generator;
  });
}

/**
 * Load an encoder; `source` and options as for loadGenerator. encode(images) takes n images of
 * height*width pixels (arrays or typed arrays, or rows of pixels): floats in [0, 1], or 0-255 in a
 * Uint8Array / Uint8ClampedArray (canvas data). It returns { z_mean, z_log_var }, each n Float32Arrays.
 */
export async function loadEncoder(ort, source, options = {}) {
  return loadModel(ort, source, 'encoder', options, ({ session, latentDim, height, width }) => ({
    /** Whether the model names digits (a format-2 model with a digit head). */
    knowsDigits: session.outputNames.includes(DIGIT_OUTPUT),
    /**
     * { z_mean, z_log_var }, each n Float32Arrays; a model with a digit head adds `digit` (n digits),
     * `probability` (n numbers: the head's probability of that digit) and `digit_probabilities` (n Float32Array(10)).
     */
    async encode(images) {
      const { data, count } = asPixels(images, height, width);
      const feeds = { image: new ort.Tensor('float32', data, [count, height * width]) };
      const outputs = await session.run(feeds);
      const result = {
        z_mean: rows(outputs.z_mean.data, count, latentDim),
        z_log_var: rows(outputs.z_log_var.data, count, latentDim),
      };
      if (outputs[DIGIT_OUTPUT]) {
        result.digit_probabilities = rows(outputs[DIGIT_OUTPUT].data, count, 10);
        result.digit = result.digit_probabilities.map((row) => row.indexOf(Math.max(...row)));
        result.probability = result.digit_probabilities.map((row, index) => row[result.digit[index]]);
      }
      return result;
    },
  }));
}

/**
 * The `prior` of a format-2 manifest, checked as runtime/prior.py does: { weights, means, logVars }, a
 * Gaussian mixture (component k is N(means[k], diag(exp(logVars[k])))); N(0, I) when absent (format 1).
 */
export function parsePrior(prior, latentDim, where = 'the model') {
  if (prior === undefined || prior === null) {
    return { weights: [1], means: [new Array(latentDim).fill(0)], logVars: [new Array(latentDim).fill(0)] };
  }
  const fail = (reason) => { throw new EdgeVAEError(`${where} has unreadable prior metadata: ${reason}`); };
  const { weights, means, log_vars: logVars } = prior ?? {};
  if (!Array.isArray(weights) || weights.length === 0 || !weights.every(Number.isFinite)) fail('weights must be a non-empty list of numbers');
  const isPoints = (list) => Array.isArray(list) && list.length === weights.length
    && list.every((point) => Array.isArray(point) && point.length === latentDim && point.every(Number.isFinite));
  if (!isPoints(means) || !isPoints(logVars)) fail(`means and log_vars must be ${weights.length} lists of ${latentDim} numbers`);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  if (weights.some((weight) => weight < 0) || Math.abs(total - 1) > WEIGHT_TOLERANCE) fail('weights must be non-negative and sum to 1');
  return { weights: weights.map((weight) => weight / total), means, logVars };
}

/** n latents [n][latent] from a mixture prior: a component drawn by weight, then a point from it. */
export function sampleMixture(prior, n, random) {
  const cumulative = [];
  prior.weights.reduce((sum, weight, index) => (cumulative[index] = sum + weight), 0);
  return Array.from({ length: n }, () => {
    const u = random() * cumulative[cumulative.length - 1];
    let k = cumulative.findIndex((edge) => u < edge);
    if (k < 0) k = cumulative.length - 1;
    return prior.means[k].map((mean, axis) => mean + Math.exp(0.5 * prior.logVars[k][axis]) * normal(random));
  });
}

const NO_ANCHORS = 'this model carries no digit anchors (exported without training labels, or by an older edgevae):'
  + ' re-export it from its run folder to ask for a digit';

/** `digit_anchors`: ten regions { digit, anchor, points, scale } in digit order, or null (runtime/digits.py). */
function parseDigitAnchors(regions, latentDim, where) {
  if (regions === undefined || regions === null) return null;
  const fail = (reason) => { throw new EdgeVAEError(`${where} has unreadable digit_anchors metadata: ${reason}`); };
  if (!Array.isArray(regions) || regions.length !== 10 || !regions.every((region, digit) => region?.digit === digit)) {
    fail('not ten regions for the digits 0-9 in order');
  }
  const isPoint = (point) => Array.isArray(point) && point.length === latentDim && point.every(Number.isFinite);
  for (const { digit, anchor, points, scale } of regions) {
    if (!Array.isArray(points) || !points.length) fail(`digit ${digit} has no points`);
    if (![anchor, ...points].every(isPoint)) fail(`digit ${digit} has a point that is not ${latentDim} finite numbers`);
    if (!Number.isFinite(scale) || scale < 0) fail(`digit ${digit} has no finite, non-negative scale`);
  }
  return regions;
}

/** A metadata value: JSON text in the .onnx file, already parsed in manifest.json. */
function metadataJSON(value, key, where) {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new EdgeVAEError(`${where} has unreadable ${key} metadata: ${error.message}`);
  }
}

/** `value` when it is a whole number from `low` to `high`; the message names `what` (runtime/checks.py). */
function wholeNumber(value, what, low, high = Infinity) {
  if (!Number.isInteger(value) || value < low || value > high) {
    const bounds = high === Infinity ? `${low} or more` : `from ${low} to ${high}`;
    throw new EdgeVAEError(`${what} must be a whole number ${bounds}, got ${JSON.stringify(value) ?? value}`);
  }
  return value;
}

/** n latents of one digit: random anchor points plus Gaussian jitter of `scale` (runtime/digits.py). */
function digitLatents(region, n, random) {
  return Array.from({ length: n }, () => {
    const point = region.points[Math.floor(random() * region.points.length)];
    return point.map((value) => value + region.scale * normal(random));
  });
}

/**
 * A seeded uniform generator in [0, 1): mulberry32 (32-bit state, fine for sampling a few thousand
 * latents; not numpy's PCG64, so the numbers differ from Python's, the distribution does not).
 * No seed: seeded from Math.random.
 */
export function seededRandom(seed) {
  if (seed !== undefined && seed !== null) wholeNumber(seed, 'the seed', 0);
  let state = (seed ?? Math.floor(Math.random() * 2 ** 32)) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A standard normal draw (Box-Muller, one of the pair). */
function normal(random) {
  const u = 1 - random(); // in (0, 1]: log(u) is finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** A model folder's manifest.json as an object, or null when the folder has none. */
export async function loadManifest(folder) {
  return readJSONObject(folderOf(folder) + 'manifest.json', { optional: true });
}

/**
 * The latent map an export writes beside the models (manifest.json names it): { z: latents, digit:
 * their labels }, or null. Checked field by field as runtime/model_files.py read_latent_map does: its
 * latents are as wide as manifest.json's latent_dim, which loading a model checks against its tensors.
 */
export async function loadLatentMap(folder) {
  const manifest = await loadManifest(folder);
  const name = manifest?.latent_map;
  if (name === undefined || name === null) return null;
  if (typeof name !== 'string' || basename(name) !== name || ['', '.', '..'].includes(name)) {
    throw new EdgeVAEError(`cannot read ${folderOf(folder)}manifest.json: its "latent_map" must name a file in the folder`);
  }
  const location = folderOf(folder) + name;
  const map = await readJSONObject(location);
  const { z, digit } = map;
  const width = manifest.latent_dim ?? (Array.isArray(z?.[0]) ? z[0].length : 1);
  if (!Array.isArray(z) || !z.every((point) => Array.isArray(point) && point.length === width && point.every(Number.isFinite))) {
    throw new EdgeVAEError(`cannot read ${location}: its "z" must be a list of latents, ${width} finite numbers each`);
  }
  if (!Array.isArray(digit) || digit.length !== z.length || !digit.every((label) => Number.isInteger(label) && label >= 0 && label <= 9)) {
    throw new EdgeVAEError(`cannot read ${location}: its "digit" must hold one digit 0-9 for each latent in "z"`);
  }
  return map;
}

/** A JSON object from a file, at most MAX_JSON_FILE_BYTES (runtime/checks.py read_json_file); null when optional and absent. */
async function readJSONObject(location, { optional = false } = {}) {
  const bytes = await readBytes(location, { optional });
  if (bytes === null) return null;
  if (bytes.byteLength > MAX_JSON_FILE_BYTES) throw new EdgeVAEError(`cannot read ${location}: over ${MAX_JSON_FILE_BYTES / 2 ** 20} MiB`);
  let value;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new EdgeVAEError(`cannot read ${location}: ${error.message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new EdgeVAEError(`cannot read ${location}: not a JSON object`);
  }
  return value;
}

/**
 * What a loader returns: the model's info, the methods `roleMethods` builds over its session
 * (given { session, latentDim, height, width, facts, where }), and release(). The model's tensors are
 * the truth about sizes: its metadata and manifest.json are checked against them (runtime/session.py).
 */
async function loadModel(ort, source, role, options, roleMethods) {
  if (!ort?.InferenceSession || !ort?.Tensor) {
    throw new EdgeVAEError('pass the onnxruntime namespace first: loadGenerator(ort, source)');
  }
  const { location, manifest, folder, found } = await locate(source, role, options);
  const bytes = found ?? (typeof location === 'string' ? await readBytes(location) : asBytes(location));
  const where = describe(location);
  if (bytes.byteLength === 0) throw new EdgeVAEError(`cannot load ${where}: the file is empty`);
  let session;
  try {
    session = await ort.InferenceSession.create(bytes, options.sessionOptions ?? {});
  } catch (error) {
    const listed = typeof location === 'string' ? manifest?.files?.[basename(location)]?.bytes : undefined;
    const hint = listed !== undefined && listed !== bytes.byteLength
      ? `, truncated or changed: ${bytes.byteLength} bytes, manifest says ${listed}` : '';
    throw new EdgeVAEError(`cannot load ${where}: not a valid ONNX model${hint} (${firstLine(error)})`);
  }
  const metadata = onnxMetadata(bytes);
  checkFormatVersion(metadata.format_version, where);
  checkFormatVersion(manifest?.format_version, where);
  checkRole(session, role, metadata.role, where);
  const { latentDim, imageShape } = tensorSizes(session, role, metadata, where);
  for (const [key, value] of Object.entries({ latent_dim: latentDim, image_shape: imageShape })) {
    if (manifest && key in manifest && JSON.stringify(manifest[key]) !== JSON.stringify(value)) {
      throw new EdgeVAEError(`${folder}manifest.json says ${key} is ${JSON.stringify(manifest[key]).slice(0, 80)}, but the tensors of ${where} make it ${JSON.stringify(value)}`);
    }
  }
  const [height, width] = imageShape;
  const facts = { ...metadata, ...manifest }; // prior and digit anchors: manifest.json's, else the file's own
  const model = roleMethods({ session, latentDim, height, width, facts, where }); // its getters stay lazy
  return Object.assign(model, { latentDim, imageShape, manifest, release: () => session.release() });
}

/** Where the model's bytes are, and the folder's manifest when there is a folder. */
async function locate(source, role, options) {
  if (typeof source !== 'string' && !(source instanceof URL)) return { location: source, manifest: null };
  const text = String(source);
  if (/\.(onnx|ort)$/i.test(text)) return { location: text, manifest: null };
  const format = options.format ?? 'onnx';
  if (format !== 'onnx' && format !== 'ort') throw new EdgeVAEError(`format must be 'onnx' or 'ort', got ${format}`);
  const name = `${role}${options.int8 ? '.int8' : ''}.${format}`;
  const location = folderOf(text) + name;
  const found = await readBytes(location, { optional: true });
  if (found === null) {
    const hint = options.int8 ? ' (export with --quantize int8 to get it)' : format === 'ort' ? ' (export with --ort)' : '';
    throw new EdgeVAEError(`${name} not found in ${text}${hint}`);
  }
  return { location, manifest: await loadManifest(text), folder: folderOf(text), found };
}

/** An .onnx file's metadata_props (ModelProto field 14: key 1, value 2) as { key: text }; {} for .ort files. */
function onnxMetadata(bytes) {
  const text = (start, end) => new TextDecoder().decode(bytes.subarray(start, end));
  if (text(4, 8) === 'ORTM') return {}; // a flatbuffer: its facts come from manifest.json alone
  const metadata = {};
  for (const [field, start, end] of protobufFields(bytes, 0, bytes.length)) {
    if (field !== 14) continue;
    const entry = Object.fromEntries(protobufFields(bytes, start, end).map(([key, from, to]) => [key, text(from, to)]));
    metadata[entry[1] ?? ''] = entry[2] ?? '';
  }
  return metadata;
}

/** [field, start, end] of each length-delimited field of the protobuf message in bytes[start, end). */
function protobufFields(bytes, start, end) {
  const fields = [];
  let at = start;
  const varint = () => {
    let value = 0;
    for (let shift = 0; at < end; shift += 7) {
      const byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    throw new EdgeVAEError('cannot read the model\'s metadata: the file is cut short');
  };
  while (at < end) {
    const key = varint();
    const type = key % 8;
    if (type === 2) {
      const length = varint();
      fields.push([Math.floor(key / 8), at, at + length]);
      at += length;
    } else if (type === 0) varint();
    else at += type === 1 ? 8 : 4;
  }
  return fields;
}

function checkRole(session, role, claimed, where) {
  let found = Object.keys(SIGNATURES).find((name) => sameSignature(session, SIGNATURES[name])) ?? 'unknown';
  if (claimed && found !== 'unknown' && claimed !== found) {
    throw new EdgeVAEError(`${where}: role metadata says it is ${article(claimed)} model, but its tensors make it ${article(found)} model`);
  }
  if (found === 'unknown') found = claimed || found;
  if (found !== role) throw new EdgeVAEError(`${where} is ${article(found)} model, but ${article(role)} model is needed here`);
  if (!sameSignature(session, SIGNATURES[role])) throw new EdgeVAEError(`${where} does not match the ${role} contract`);
}

function checkFormatVersion(version, where) {
  if (version !== undefined && !FORMAT_VERSIONS.includes(Number(version))) {
    throw new EdgeVAEError(
      `${where} has format_version '${version}', which this edgevae cannot read (it reads ${FORMAT_VERSIONS.join(', ')}): upgrade edgevae or re-export the model`,
    );
  }
}

function sameSignature(session, signature) {
  return session.inputNames.join() === signature.inputs.join()
    && signature.outputs.every((name) => session.outputNames.includes(name));
}

/** { latentDim, imageShape } from the tensors, with the metadata checked against them (runtime/session.py). */
function tensorSizes(session, role, metadata, where) {
  const size = (tensors, name) => tensors?.find((value) => value.name === name)?.shape?.[1];
  const [latentTensors, imageTensors] = role === 'generator'
    ? [session.inputMetadata, session.outputMetadata] : [session.outputMetadata, session.inputMetadata];
  const latentDim = size(latentTensors, role === 'generator' ? 'z' : 'z_mean') ?? Number(metadata.latent_dim);
  const pixels = size(imageTensors, 'image') ?? 784;
  if (!Number.isInteger(latentDim) || latentDim < 1) throw new EdgeVAEError(`${where} does not say its latent size`);
  if (metadata.latent_dim !== undefined && metadata.latent_dim.trim() !== String(latentDim)) {
    throw new EdgeVAEError(`${where} has latent_dim metadata '${metadata.latent_dim}', but its tensors hold ${latentDim} values`);
  }
  const text = metadata.image_shape;
  if (text === undefined) {
    if (pixels !== 784) throw new EdgeVAEError(`${where} has no image_shape metadata, and its ${pixels}-pixel images are not 28x28`);
    return { latentDim, imageShape: [28, 28] }; // files from before the metadata existed are MNIST-sized
  }
  const shape = metadataJSON(text, 'image_shape', where);
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every(Number.isInteger)) {
    throw new EdgeVAEError(`${where} has unreadable image_shape metadata: '${text}'`);
  }
  if (shape[0] < 1 || shape[1] < 1 || shape[0] * shape[1] !== pixels) {
    throw new EdgeVAEError(`${where} has image_shape metadata ${text}, but its image tensor holds ${pixels} pixels`);
  }
  return { latentDim, imageShape: shape };
}

/** A Float32Array [count * latentDim] from latents [latent] (one latent) or [n, latent] (as_latents in Python). */
export function asLatents(z, latentDim) {
  const { values, shape } = asArray(z, 'latents');
  const [count, width, ...deeper] = shape.length === 1 ? [1, ...shape] : shape;
  if (shape.length === 0 || deeper.length || width !== latentDim) {
    throw new EdgeVAEError(
      `this model's latents have ${latentDim} values, got an array shaped [${[count, width, ...deeper].filter((size) => size !== undefined).join(', ')}] (expected [latent] or [n, latent])`,
    );
  }
  return { data: Float32Array.from(values), count };
}

/**
 * A Float32Array [count * height * width] in [0, 1], scaled the way the model was trained (value / 255): integer
 * typed arrays (or arrays of them) hold 0-255, everything else is floats in [0, 1] (as_pixels in Python).
 */
export function asPixels(images, height, width) {
  const size = height * width;
  const { values, shape, integer } = asArray(images, 'images');
  const is = (...expected) => shape.join() === expected.join();
  let count = shape[0];
  if (is(height, width) || is(size)) count = 1;
  else if (!(shape.length === 3 && is(count, height, width)) && !is(count, size)) {
    throw new EdgeVAEError(`images must be shaped [${height}, ${width}], [n, ${height}, ${width}] or [n, ${size}], got [${shape.join(', ')}]`);
  }
  const data = Float32Array.from(values);
  const [low, high] = data.reduce(([min, max], value) => [Math.min(min, value), Math.max(max, value)], [Infinity, -Infinity]);
  if (integer) {
    if (low < 0 || high > 255) throw new EdgeVAEError('integer images must hold pixel values 0-255');
    return { data: data.map((value) => value / 255), count };
  }
  if (low < 0 || high > 1) {
    throw new EdgeVAEError(`float images must hold pixels in [0, 1], got ${low} to ${high} (divide 0-255 values by 255, or pass a Uint8Array)`);
  }
  return { data, count };
}

/**
 * Numbers as numpy reads them: { values (row-major), shape, integer }. Ragged or non-numeric input, NaN,
 * infinity and float32 overflow are refused (real_array in Python). `integer`: every number came in an
 * integer typed array; plain numbers are never integers here, as JSON's are not.
 */
function asArray(input, what) {
  const leaves = [];
  const shapeOf = (item) => {
    if (typeof item === 'number') return leaves.push([item]) && [];
    if (isSequence(item) && !(Array.isArray(item) && item.some((value) => typeof value !== 'number'))) {
      return leaves.push(item) && [item.length];
    }
    if (!Array.isArray(item)) throw new EdgeVAEError(`${what} must be numbers`);
    const shapes = item.map(shapeOf);
    if (shapes.some((shape) => shape.join() !== shapes[0].join())) throw new EdgeVAEError(`${what} must be numbers`);
    return [item.length, ...shapes[0]];
  };
  const shape = shapeOf(input);
  const values = Float64Array.from(leaves.flatMap((leaf) => Array.from(leaf)));
  const largest = values.reduce((most, value) => Math.max(most, Math.abs(value)), 0);
  if (!(largest <= FLOAT32_MAX)) {
    throw new EdgeVAEError(Number.isFinite(largest) ? `${what} must be finite float32 numbers, got ${largest}` : `${what} must be finite numbers, got NaN or infinity`);
  }
  const integer = leaves.length > 0 && leaves.every((leaf) => /Int|Uint/.test(leaf.constructor.name));
  return { values, shape, integer };
}

function isSequence(item) {
  return Array.isArray(item) || (ArrayBuffer.isView(item) && !(item instanceof DataView));
}

function rows(data, count, size) {
  return Array.from({ length: count }, (_, index) => data.subarray(index * size, (index + 1) * size));
}

function folderOf(source) {
  const text = String(source);
  return text.endsWith('/') ? text : `${text}/`;
}

function basename(location) {
  return String(location).split(/[\\/]/).pop();
}

function describe(location) {
  return typeof location === 'string' ? location : 'the given model bytes';
}

function article(role) {
  return /^[aeiou]/.test(role) ? `an ${role}` : `a ${role}`;
}

function firstLine(error) {
  return String(error?.message ?? error).split('\n')[0];
}

function asBytes(source) {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  throw new EdgeVAEError('a model source must be a folder, an .onnx or .ort file (URL or path), or the model bytes');
}

const isNode = typeof process !== 'undefined' && Boolean(process.versions?.node) && typeof window === 'undefined';

/** A file's bytes from a URL (fetch) or, in Node, a path or file: URL; null for a missing optional file. */
async function readBytes(location, { optional = false } = {}) {
  if (isNode && !/^https?:/i.test(location)) {
    const { readFile } = await import('node:fs/promises');
    const path = location.startsWith('file:') ? new URL(location) : location;
    try {
      return new Uint8Array(await readFile(path));
    } catch (error) {
      if (optional && error.code === 'ENOENT') return null;
      const reason = error.code === 'ENOENT' ? 'no such file' : error.code === 'EISDIR' ? 'a folder, not a file' : error.message;
      throw new EdgeVAEError(`cannot read ${location}: ${reason}`);
    }
  }
  let response;
  try {
    response = await fetch(location);
  } catch (error) {
    throw new EdgeVAEError(`cannot fetch ${location}: ${firstLine(error)}`);
  }
  if (optional && response.status === 404) return null;
  if (!response.ok) throw new EdgeVAEError(`cannot fetch ${location}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
