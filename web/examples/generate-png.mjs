// Generate digits in Node.js and save them as one grayscale PNG grid.
//
//   node examples/generate-png.mjs digits.png [count] [model folder]
//
// The latents are drawn from the model's own prior with a fixed seed (generator.sample); the model
// defaults to the one bundled with the Python package. The PNG is written with Node's own zlib: no image package needed.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import * as ort from 'onnxruntime-node';

import { loadGenerator } from '../edgevae.mjs';

const [out = 'digits.png', count = '16', model = fileURLToPath(new URL('../../runtime/pretrained/', import.meta.url))] =
  process.argv.slice(2);

const generator = await loadGenerator(ort, model);
const n = Number(count);
const images = await generator.sample(n, { seed: 0 });
const [height, width] = generator.imageShape;
writeFileSync(out, encodePng(...grid(images, width, height)));
console.log(`wrote ${n} digits to ${out}`);

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
