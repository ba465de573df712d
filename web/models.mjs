/**
 * The page's models, computed in the browser by onnxruntime-web from the model folder served beside
 * the page (how `make web` serves it). `edgevae serve` serves api-models.mjs at this URL instead:
 * the same openModels(), computed by the server, so the wheel needs no onnxruntime-web.
 */
import * as ort from './ort/ort.wasm.min.mjs';
import { loadEncoder, loadGenerator, loadLatentMap } from './edgevae.mjs';

const MODEL = new URL('model/', import.meta.url).href;

ort.env.wasm.numThreads = 1; // no cross-origin isolation needed, and 2 threads are slower for this network
ort.env.wasm.wasmPaths = new URL('ort/', import.meta.url).href;

/** { generator, encoder, latentMap }: edgevae.mjs's loaders over the model folder. */
export async function openModels() {
  const [generator, encoder, latentMap] = await Promise.all([
    loadGenerator(ort, MODEL), loadEncoder(ort, MODEL), loadLatentMap(MODEL),
  ]);
  return { generator, encoder, latentMap };
}
