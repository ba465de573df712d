// Type declarations for edgevae.mjs, the package's public API. onnxruntime is the caller's own
// (onnxruntime-web or onnxruntime-node), passed in as its namespace: `import * as ort from '...'`.
/// <reference lib="dom" />

/** The onnxruntime namespace the caller imported; only these two members are used. */
export interface OrtNamespace {
  InferenceSession: { create(model: Uint8Array, options?: object): Promise<unknown> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;
}

/** A model folder (URL or path; its manifest.json is read when there), an .onnx/.ort file, or its bytes. */
export type ModelSource = string | URL | ArrayBuffer | ArrayBufferView;

export interface LoadOptions {
  /** The folder's int8 files (generator.int8.onnx, encoder.int8.onnx). */
  int8?: boolean;
  /** Which files of a folder: 'onnx' (default) or 'ort'. */
  format?: 'onnx' | 'ort';
  /** Passed to onnxruntime's InferenceSession.create. */
  sessionOptions?: object;
}

/** Numbers: a plain array or a typed array. */
export type NumberArray = readonly number[] | Float32Array | Float64Array | Uint8Array | Uint8ClampedArray;

/** Latents: one [latent] (a flat array is always one latent) or several [n][latent]. */
export type Latents = NumberArray | readonly NumberArray[];

/**
 * Images: one or n of height*width pixels (or of height rows of width pixels). Plain numbers are floats
 * in [0, 1]; integer typed arrays (Uint8Array, Uint8ClampedArray canvas data, ...) hold 0-255.
 */
export type Images = NumberArray | readonly (NumberArray | readonly NumberArray[])[];

/** Where a digit lives in the latent space (digit_anchors metadata). */
export interface DigitAnchor {
  digit: number;
  anchor: number[];
  points: number[][];
  scale: number;
}

interface LoadedModel {
  latentDim: number;
  imageShape: [number, number];
  manifest: Record<string, unknown> | null;
  release(): Promise<void>;
}

/** The model's prior, a Gaussian mixture: component k is N(means[k], diag(exp(logVars[k]))). */
export interface Prior {
  weights: number[];
  means: number[][];
  logVars: number[][];
}

/** Options of sample and sampleLatents: the same seed, the same draws (this module's own mulberry32). */
export interface SampleOptions {
  seed?: number;
  /** 0-9: draw from that digit's anchors instead of the prior. */
  digit?: number;
}

export interface Generator extends LoadedModel {
  /** The prior (manifest.json's, else the model file's; N(0, I) for format-1 models), checked when first read. */
  readonly prior: Prior;
  /** Each digit's latent region (manifest.json's, else the model file's), checked when first read; null without. */
  readonly digitAnchors: DigitAnchor[] | null;
  /** n images, each a Float32Array of height*width pixels in [0, 1], row by row. */
  generate(z: Latents): Promise<Float32Array[]>;
  /** n latents [n][latent] from the model's prior, or of `digit`; sample() decodes these. */
  sampleLatents(n: number, options?: SampleOptions): number[][];
  /**
   * n images from the prior, or of `digit` (0-9, from the digit anchors); the same seed, the same images.
   * Its random numbers are documented in edgevae.mjs.
   */
  sample(n: number, options?: SampleOptions): Promise<Float32Array[]>;
}

export interface Encoding {
  z_mean: Float32Array[];
  z_log_var: Float32Array[];
  /** With a digit head (encoder.knowsDigits): the digit read in each image. */
  digit?: number[];
  /** The head's probability of that digit, per image. */
  probability?: number[];
  /** The head's ten probabilities, per image. */
  digit_probabilities?: Float32Array[];
}

export interface Encoder extends LoadedModel {
  /** Whether the model names digits (a format-2 model with a digit head). */
  knowsDigits: boolean;
  /** Each image's latent mean and log-variance, one Float32Array(latent) per image, and the digit read. */
  encode(images: Images): Promise<Encoding>;
}

export class EdgeVAEError extends Error {
  name: 'EdgeVAEError';
}

export function loadGenerator(ort: OrtNamespace, source: ModelSource, options?: LoadOptions): Promise<Generator>;
export function loadEncoder(ort: OrtNamespace, source: ModelSource, options?: LoadOptions): Promise<Encoder>;

/** A model folder's manifest.json, or null when the folder has none. */
export function loadManifest(folder: string | URL): Promise<Record<string, unknown> | null>;

/** The latent map beside the models: the encoder's means of test digits and their labels, or null. */
export function loadLatentMap(folder: string | URL): Promise<{ z: number[][]; digit: number[] } | null>;

/** Latents as the generator's input, checked: { data: Float32Array(count * latentDim), count }. */
export function asLatents(z: Latents, latentDim: number): { data: Float32Array; count: number };

/** Images as the encoder's input, checked and scaled to [0, 1]: { data, count }. */
export function asPixels(images: Images, height: number, width: number): { data: Float32Array; count: number };

/**
 * A drawing (white ink on black, any size) in MNIST form: the ink cropped, fitted into 20x20 and
 * centred by mass in 28x28, as Float32Array(784) in [0, 1] for encode(); null when there is no ink.
 * Browsers only.
 */
export function mnistForm(canvas: HTMLCanvasElement): Float32Array | null;

/** A format-2 manifest's `prior`, checked (N(0, I) when absent); throws EdgeVAEError naming `where`. */
export function parsePrior(prior: unknown, latentDim: number, where?: string): Prior;

/** n latents [n][latent] drawn from a mixture prior with `random` (uniform in [0, 1)). */
export function sampleMixture(prior: Prior, n: number, random: () => number): number[][];

/** A seeded uniform generator in [0, 1) (mulberry32); no seed: seeded from Math.random. */
export function seededRandom(seed?: number | null): () => number;
