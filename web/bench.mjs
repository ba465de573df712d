// Timings for BENCHMARKS.md (benchmarks/web.py formats them): the page in headless Chromium and the
// module in Node.js, on the bundled model. Prints one JSON object.
//
//   node bench.mjs [--quick]
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';

import { loadEncoder, loadGenerator } from './edgevae.mjs';
import { launchBrowser, startServer } from './test/browser.mjs';
import { BUNDLED_MODEL } from './test/reference.mjs';

const quick = process.argv.includes('--quick');
const LOADS = quick ? 3 : 7;
const CALLS = quick ? 100 : 400;
const BLOCKS = 5;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Milliseconds per call of generate (batch 1 and 64) and encode (batch 1): for each, the median over
 * blocks of the mean per call. Self-contained, because the page runs it from its source.
 */
async function callTimings(generator, encoder, calls, blocks) {
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const perCall = async (call, count) => {
    // Warm up first (in Node too, so the two compare): Chromium runs new wasm on its baseline compiler
    // until the optimised code is ready.
    for (const end = performance.now() + 1500; performance.now() < end;) await call();
    const results = [];
    for (let block = 0; block < blocks; block++) {
      const start = performance.now();
      for (let index = 0; index < count; index++) await call();
      results.push((performance.now() - start) / count);
    }
    return median(results);
  };
  const image = new Float32Array(784).fill(0.5);
  const batch = Array.from({ length: 64 }, (_, index) => [Math.sin(index), Math.cos(index)]);
  return {
    generate1: await perCall(() => generator.generate([[0.3, -0.7]]), calls),
    generate64: await perCall(() => generator.generate(batch), Math.max(10, calls / 10)),
    encode1: await perCall(() => encoder.encode([image]), calls),
  };
}

async function browserFigures(url) {
  const loads = [];
  let weight;
  for (let run = 0; run < LOADS; run++) {
    const context = await launchBrowser(); // a fresh profile: an empty cache
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(url);
    await page.evaluate(() => window.edgevae.ready);
    loads.push(await page.evaluate(() => performance.getEntriesByName('edgevae-ready')[0].startTime));
    weight ??= await page.evaluate(() => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
      .map((entry) => ({ name: new URL(entry.name).pathname, bytes: entry.transferSize })));
    if (run === LOADS - 1) {
      // Functions passed to the page are serialised, so it gets callTimings as source text.
      const timings = await page.evaluate(`(${callTimings})(window.edgevae, window.edgevae, ${CALLS}, ${BLOCKS})`);
      Object.assign(loads, { timings });
    }
    await context.close();
  }
  return { readyMs: median(loads), readyAll: [...loads], weight, ...loads.timings };
}

async function nodeFigures() {
  const sessionOptions = { intraOpNumThreads: 1 };
  const start = performance.now();
  const generator = await loadGenerator(ort, BUNDLED_MODEL, { sessionOptions });
  const loadMs = performance.now() - start;
  const encoder = await loadEncoder(ort, BUNDLED_MODEL, { sessionOptions });
  return { loadMs, ...(await callTimings(generator, encoder, CALLS, BLOCKS)) };
}

const server = await startServer(BUNDLED_MODEL);
try {
  const browser = await browserFigures(server.url);
  const wasm = join('node_modules', 'onnxruntime-web', 'dist', 'ort-wasm-simd-threaded.wasm');
  const gzippedWasm = gzipSync(readFileSync(wasm)).length;
  const node = await nodeFigures();
  console.log(JSON.stringify({ browser, node, wasmBytes: statSync(wasm).size, gzippedWasm, loads: LOADS, calls: CALLS }));
} finally {
  server.stop();
}
