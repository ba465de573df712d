// Generate digits in Node.js and save them as one grayscale PNG grid.
//
//   node examples/generate-png.mjs OUT.png [COUNT] [MODEL_FOLDER]
//
// OUT.png is required (nothing is written into the checkout unasked); COUNT is 1 to 10,000 (default 16).
// The latents are drawn from the model's own prior with a fixed seed (generator.sample); the model
// defaults to the one bundled with the Python package. The PNG is written with Node's own zlib: no image package needed.
// Bad arguments print one line and exit with status 2; a failure while running, one line and status 1.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import * as ort from 'onnxruntime-node';

import { loadGenerator } from '../edgevae.mjs';

const USAGE = 'usage: node examples/generate-png.mjs OUT.png [COUNT] [MODEL_FOLDER]';
const MAX_COUNT = 10_000; // a 3,002-pixel square grid
const BUNDLED_MODEL = fileURLToPath(new URL('../../runtime/pretrained/', import.meta.url));

const args = process.argv.slice(2);
const [out, count = '16', model = BUNDLED_MODEL] = args;
if (args.length < 1 || args.length > 3) usageError('give the PNG to write, then optionally a count and a model folder');
if (!out.toLowerCase().endsWith('.png')) usageError(`OUT must be a .png file, got ${JSON.stringify(out)}`);
const n = Number(count);
if (!/^\d+$/.test(count) || n < 1 || n > MAX_COUNT) {
  usageError(`COUNT must be a whole number from 1 to ${MAX_COUNT.toLocaleString('en')}, got ${JSON.stringify(count)}`);
}

try {
  const generator = await loadGenerator(ort, model);
  const images = await generator.sample(n, { seed: 0 });
  const [height, width] = generator.imageShape;
  writeFileSync(out, encodePng(...grid(images, width, height)));
} catch (error) {
  console.error(`Error: ${String(error.message).split('\n')[0]}`);
  process.exit(1);
}
console.log(`wrote ${n} digits to ${out}`);

function usageError(message) {
  console.error(`${USAGE}\nError: ${message}`);
  process.exit(2);
}

/** The images side by side, row by row (as the Python runtime's save_grid), 2 pixels apart. */
function grid(images, width, height, padding = 2) {
  const columns = Math.ceil(Math.sqrt(images.length));
  const rows = Math.ceil(images.length / columns);
  const gridWidth = columns * (width + padding) + padding;
  const gridHeight = rows * (height + padding) + padding;
  const pixels = new Uint8Array(gridWidth * gridHeight);
  images.forEach((image, index) => {
    const top = padding + Math.floor(index / columns) * (height + padding);
    const left = padding + (index % columns) * (width + padding);
    image.forEach((value, pixel) => {
      pixels[(top + Math.floor(pixel / width)) * gridWidth + left + (pixel % width)] = Math.round(value * 255);
    });
  });
  return [pixels, gridWidth, gridHeight];
}

/** An 8-bit grayscale PNG: signature, IHDR, one zlib-compressed IDAT (filter 0 per row), IEND. */
export function encodePng(pixels, width, height) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // bit depth 8, grayscale, deflate, adaptive filtering, no interlace
  const raw = Buffer.alloc((width + 1) * height);
  for (let row = 0; row < height; row++) raw.set(pixels.subarray(row * width, (row + 1) * width), row * (width + 1) + 1);
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}
