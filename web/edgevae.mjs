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
 * The checks mirror the Python runtime (edgevae.runtime.generator.as_latents and
 * edgevae.runtime.encoder.as_pixels): bad input raises an EdgeVAEError with a one-line message.
 */

// The page's canvas-to-MNIST helper, part of the package: a drawing -> the encoder's 784 pixels.
export { mnistForm } from './mnist-form.mjs';

// The exporter's contract: tensor names for each role (runtime/session.py SIGNATURES).
const SIGNATURES = {
  encoder: { inputs: ['image'], outputs: ['z_mean', 'z_log_var'] },
  generator: { inputs: ['z'], outputs: ['image'] },
};
const DIGIT_OUTPUT = 'digit_probabilities'; // the encoder's digit head (format 2), [batch, 10]
const DEFAULT_IMAGE_SHAPE = [28, 28]; // files from before the metadata existed are MNIST-sized
const FORMAT_VERSIONS = [1, 2]; // of the contract this module reads (runtime/session.py FORMAT_VERSIONS)
const WEIGHT_TOLERANCE = 1e-4; // the prior's stored weights must sum to 1 within this (runtime/prior.py)

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
  return loadModel(ort, source, 'generator', options, ({ session, latentDim, height, width, manifest, where }) => {
    const prior = manifest ? parsePrior(manifest.prior, latentDim, where) : null;
    const generator = {
      /** The model's prior { weights, means, logVars } (N(0, I) for format 1); null without a manifest. */
      prior,
      /** n images, each a Float32Array of height*width pixels in [0, 1], for latents [latent] or [n, latent]. */
      async generate(z) {
        const { data, count } = asLatents(z, latentDim);
        const feeds = { z: new ort.Tensor('float32', data, [count, latentDim]) };
        const { image } = await session.run(feeds);
        return rows(image.data, count, height * width);
      },
      /**
       * n latents [n][latent] from the model's own prior, or with `digit` from that digit's anchors (a random
       * point plus N(0, scale^2) jitter), as the Python runtime draws them; the same seed, the same latents
       * (this module's own generator: not numpy's numbers, the same distribution).
       */
      sampleLatents(n, { seed, digit } = {}) {
        if (!Number.isInteger(n) || n < 1) throw new EdgeVAEError(`the number of samples must be a positive whole number, got ${n}`);
        const random = seededRandom(seed);
        if (digit !== undefined && digit !== null) return digitLatents(digitRegion(manifest, digit), n, random);
        if (!prior) throw new EdgeVAEError(`${where} has no manifest.json beside it: sampling needs the prior it holds`);
        return sampleMixture(prior, n, random);
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

function digitRegion(manifest, digit) {
  if (!Number.isInteger(digit) || digit < 0 || digit > 9) throw new EdgeVAEError(`the digit must be a whole number from 0 to 9, got ${digit}`);
  const region = manifest?.digit_anchors?.[digit];
  if (!Array.isArray(region?.points) || !Number.isFinite(region?.scale)) {
    throw new EdgeVAEError('this model carries no digit anchors (exported without training labels, or by an older edgevae)');
  }
  return region;
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
  if (seed !== undefined && seed !== null && !(Number.isInteger(seed) && seed >= 0)) {
    throw new EdgeVAEError(`the seed must be a whole number, 0 or more, got ${seed}`);
  }
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
  const location = folderOf(folder) + 'manifest.json';
  const bytes = await readBytes(location, { optional: true });
  if (bytes === null) return null;
  let manifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new EdgeVAEError(`cannot read ${location}: ${error.message}`);
  }
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
    throw new EdgeVAEError(`cannot read ${location}: not a JSON object`);
  }
  return manifest;
}

/** The latent map an export writes beside the models: { z: [[x, y], ...], digit: [...] }, or null. */
export async function loadLatentMap(folder) {
  const manifest = await loadManifest(folder);
  const name = manifest?.latent_map;
  if (!name) return null;
  const location = folderOf(folder) + name;
  let map;
  try {
    map = JSON.parse(new TextDecoder().decode(await readBytes(location)));
  } catch (error) {
    if (error instanceof EdgeVAEError) throw error;
    throw new EdgeVAEError(`cannot read ${location}: ${error.message}`);
  }
  if (!Array.isArray(map?.z) || !Array.isArray(map?.digit) || map.z.length !== map.digit.length) {
    throw new EdgeVAEError(`${location} is not a latent map: it needs z and digit lists of one length`);
  }
  return map;
}

/**
 * What a loader returns: the model's info, the methods `roleMethods` builds over its session
 * (given { session, latentDim, height, width }), and release().
 */
async function loadModel(ort, source, role, options, roleMethods) {
  if (!ort?.InferenceSession || !ort?.Tensor) {
    throw new EdgeVAEError('pass the onnxruntime namespace first: loadGenerator(ort, source)');
  }
  const { location, manifest } = await locate(source, role, options);
  const bytes = typeof location === 'string' ? await readBytes(location) : asBytes(location);
  if (bytes.byteLength === 0) throw new EdgeVAEError(`cannot load ${describe(location)}: the file is empty`);
  let session;
  try {
    session = await ort.InferenceSession.create(bytes, options.sessionOptions ?? {});
  } catch (error) {
    const listed = typeof location === 'string' ? manifest?.files?.[basename(location)]?.bytes : undefined;
    const hint = listed !== undefined && listed !== bytes.byteLength
      ? `, truncated or changed: ${bytes.byteLength} bytes, manifest says ${listed}` : '';
    throw new EdgeVAEError(`cannot load ${describe(location)}: not a valid ONNX model${hint} (${firstLine(error)})`);
  }
  checkRole(session, role, describe(location));
  checkFormatVersion(manifest, describe(location));
  const latentDim = latentSize(session, role, manifest, describe(location));
  const imageShape = manifest?.image_shape ?? DEFAULT_IMAGE_SHAPE;
  const [height, width] = imageShape;
  return {
    latentDim,
    imageShape: [...imageShape],
    manifest,
    digitAnchors: manifest?.digit_anchors ?? null, // the "ask for a digit" anchors, when the export has them
    ...roleMethods({ session, latentDim, height, width, manifest, where: describe(location) }),
    release: () => session.release(),
  };
}

/** Where the model's bytes are, and the folder's manifest when there is a folder. */
async function locate(source, role, options) {
  if (typeof source !== 'string' && !(source instanceof URL)) return { location: source, manifest: null };
  const text = String(source);
  if (/\.(onnx|ort)$/i.test(text)) return { location: text, manifest: null };
  const format = options.format ?? 'onnx';
  if (format !== 'onnx' && format !== 'ort') throw new EdgeVAEError(`format must be 'onnx' or 'ort', got ${format}`);
  const manifest = await loadManifest(text);
  const name = `${role}${options.int8 ? '.int8' : ''}.${format}`;
  if (manifest?.files && !(name in manifest.files)) {
    const hint = options.int8 ? ' (export with --quantize int8 to get it)' : format === 'ort' ? ' (export with --ort)' : '';
    throw new EdgeVAEError(`${name} not found in ${text}${hint}`);
  }
  return { location: folderOf(text) + name, manifest };
}

function checkRole(session, role, where) {
  const found = Object.keys(SIGNATURES).find((name) => sameSignature(session, SIGNATURES[name])) ?? 'unknown';
  if (found !== role) throw new EdgeVAEError(`${where} is ${article(found)} model, but ${article(role)} model is needed here`);
}

function checkFormatVersion(manifest, where) {
  const version = manifest?.format_version;
  if (version !== undefined && !FORMAT_VERSIONS.includes(version)) {
    throw new EdgeVAEError(
      `${where} has format_version ${JSON.stringify(version)}, which this edgevae cannot read (it reads ${FORMAT_VERSIONS.join(', ')}): upgrade edgevae or re-export the model`,
    );
  }
}

function sameSignature(session, signature) {
  return session.inputNames.join() === signature.inputs.join()
    && signature.outputs.every((name) => session.outputNames.includes(name));
}

function latentSize(session, role, manifest, where) {
  const tensorName = role === 'generator' ? 'z' : 'z_mean';
  const metadata = role === 'generator' ? session.inputMetadata : session.outputMetadata;
  const shape = metadata?.find((value) => value.name === tensorName)?.shape ?? [];
  const size = Number.isInteger(shape[1]) ? shape[1] : manifest?.latent_dim;
  if (!Number.isInteger(size) || size < 1) throw new EdgeVAEError(`${where} does not say its latent size`);
  return size;
}

/** A Float32Array [count * latentDim] from latents [latent], [n, latent] or a flat typed array. */
export function asLatents(z, latentDim) {
  const { values, count, width } = flatten(z, 'latents must be numbers shaped [latent] or [n, latent]');
  if (width !== latentDim && !(width === null && values.length % latentDim === 0)) {
    throw new EdgeVAEError(
      `this model's latents have ${latentDim} values, got ${describeShape(count, width, values.length)}`
      + ' (expected [latent] or [n, latent])',
    );
  }
  if (values.length === 0) throw new EdgeVAEError('no latents given: expected [latent] or [n, latent]');
  const data = Float32Array.from(values);
  if (!data.every(Number.isFinite)) throw new EdgeVAEError('latents must be finite numbers, got NaN or infinity');
  return { data, count: data.length / latentDim };
}

/** A Float32Array [count * height * width] in [0, 1], scaled the way the model was trained (value / 255). */
export function asPixels(images, height, width) {
  const size = height * width;
  const shapeError = `images must be n arrays of ${size} pixels (or of ${height} rows of ${width}), or one such image`;
  const { values, count, width: rowSize, integer } = flatten(images, shapeError, height, width);
  if ((rowSize !== null && rowSize !== size) || values.length === 0 || values.length % size !== 0) {
    throw new EdgeVAEError(`${shapeError}, got ${describeShape(count, rowSize, values.length)}`);
  }
  const data = Float32Array.from(values);
  let low = Infinity;
  let high = -Infinity;
  for (const value of data) {
    if (!Number.isFinite(value)) throw new EdgeVAEError('images contain NaN or infinite pixel values');
    if (value < low) low = value;
    if (value > high) high = value;
  }
  if (integer) {
    if (low < 0 || high > 255) throw new EdgeVAEError('integer images must hold pixel values 0-255');
    for (let index = 0; index < data.length; index++) data[index] /= 255;
  } else if (low < 0 || high > 1) {
    throw new EdgeVAEError(
      `float images must hold pixels in [0, 1], got ${low} to ${high} (divide 0-255 values by 255, or pass a Uint8Array)`,
    );
  }
  return { data, count: data.length / size };
}

/**
 * Numbers in row-major order, the row count, and the row width (null for one flat array, whose
 * rows the caller cuts). Images may also be given as rows of pixels: [n][height][width].
 */
function flatten(input, message, height = null, width = null) {
  if (ArrayBuffer.isView(input) && !(input instanceof DataView)) {
    return { values: input, count: null, width: null, integer: isIntegerArray(input) };
  }
  if (!Array.isArray(input)) throw new EdgeVAEError(`${message}, got ${typeof input}`);
  if (input.every((value) => typeof value === 'number')) return { values: input, count: null, width: null, integer: false };
  const isRows = (item) => Array.isArray(item) && item.length === height && item.every((row) => isSequence(row) && row.length === width);
  if (height !== null && isRows(input)) return flatten([input], message, height, width); // one image as rows
  const asRows = (item) => height !== null && isRows(item);
  const integer = input.length > 0 && input.every((item) => (asRows(item) ? item.every(isIntegerArray) : isIntegerArray(item)));
  const items = input.map((item) => (asRows(item) ? item.flatMap((row) => Array.from(row)) : item));
  if (!items.every(isSequence)) throw new EdgeVAEError(`${message}, got a list of mixed or non-numeric items`);
  const rowWidth = items[0]?.length ?? 0;
  if (!items.every((item) => item.length === rowWidth)) throw new EdgeVAEError(`${message}, got rows of different lengths`);
  const values = new Float64Array(items.length * rowWidth);
  items.forEach((item, index) => {
    for (let column = 0; column < rowWidth; column++) {
      const value = item[column];
      if (typeof value !== 'number') throw new EdgeVAEError(`${message}, got a non-number ${JSON.stringify(value)}`);
      values[index * rowWidth + column] = value;
    }
  });
  return { values, count: items.length, width: rowWidth, integer };
}

function isSequence(item) {
  return Array.isArray(item) || (ArrayBuffer.isView(item) && !(item instanceof DataView));
}

function isIntegerArray(array) {
  return ArrayBuffer.isView(array) && !(array instanceof Float32Array || array instanceof Float64Array);
}

function describeShape(count, width, length) {
  return count === null ? `${length} values` : `an array shaped [${count}, ${width}]`;
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
