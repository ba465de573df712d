/**
 * The page's models computed by `edgevae serve` through its HTTP API: the same openModels() as
 * models.mjs, whose URL the server answers with this file. generate(z) and encode(images) take and
 * return what edgevae.mjs's do; the server runs the Python runtime, so its checks and messages are the
 * runtime's own, thrown here as EdgeVAEError. URLs are relative to the page: a phone on the LAN works.
 */
import { EdgeVAEError, asPixels } from './edgevae.mjs';

const API = new URL('v1/', import.meta.url);

/** { generator, encoder, latentMap } over the server's /v1/ API. */
export async function openModels() {
  const [info, latentMap] = await Promise.all([request('info'), request('latent-map', {}, { optional: true })]);
  const latentDim = info.latent_dim;
  const size = info.image_shape[0] * info.image_shape[1];
  const generator = {
    latentDim,
    digitAnchors: info.digit_anchors,
    manifest: info,
    /** n Float32Arrays of pixels in [0, 1] for latents [latent] or [n, latent]. */
    async generate(z) {
      const response = await request('generate', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/octet-stream' },
        body: JSON.stringify({ latents: Array.from(z, (value) => (typeof value === 'number' ? value : Array.from(value))) }),
      }, { binary: true });
      const pixels = new Float32Array(response); // little-endian float32, as every browser's CPU
      return Array.from({ length: pixels.length / size }, (_, index) => pixels.subarray(index * size, (index + 1) * size));
    },
  };
  const encoder = {
    latentDim,
    /** { z_mean, z_log_var }, each n Float32Arrays, for n images of pixels (0-1 floats or 0-255 bytes). */
    async encode(images) {
      const { encodings } = await request('encode', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ pixels: rows(asPixels(images, ...info.image_shape).data, size) }), // JSON numbers: [0, 1]
      });
      return {
        z_mean: encodings.map((encoding) => Float32Array.from(encoding.z_mean)),
        z_log_var: encodings.map((encoding) => Float32Array.from(encoding.z_log_var)),
      };
    },
  };
  return { generator, encoder, latentMap };
}

function rows(data, size) {
  return Array.from({ length: data.length / size }, (_, index) => Array.from(data.subarray(index * size, (index + 1) * size)));
}

/** The API's answer (JSON, or bytes when binary); its {"error"} as an EdgeVAEError; null for an optional 404. */
async function request(path, init = {}, { optional = false, binary = false } = {}) {
  const response = await fetch(new URL(path, API), init);
  if (optional && response.status === 404) return null;
  if (!response.ok) {
    const text = await response.text();
    let message = `${response.status} ${response.statusText}`;
    try {
      message = JSON.parse(text).error ?? message;
    } catch {
      // not the API's JSON: keep the status line
    }
    throw new EdgeVAEError(message);
  }
  return binary ? response.arrayBuffer() : response.json();
}
