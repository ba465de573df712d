/**
 * The latent explorer: the notebook's pictures, live. The latent plane with the test digits' map,
 * the digit under the pointer, a drawing pad that is encoded and reconstructed, the 20x20 manifold,
 * and the digit buttons when the model has anchors. Everything comes from this server (no CDN): the
 * models run in the browser (`make web`) or on the server (`edgevae serve`), as models.mjs decides.
 * window.edgevae = { ready, generate, encode } gives embedders and tests the module's semantics.
 */
import { manifoldGrid } from './manifold.mjs';
import { mnistForm } from './mnist-form.mjs';
import { openModels } from './models.mjs'; // onnxruntime-web here, or the server's API (see models.mjs)

const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const MANIFOLD_SIZE = 20;
const NARROW = window.matchMedia('(max-width: 700px)'); // one column: the plane's panel fills the screen
const PAD_STROKE = 18; // pixels on the 280-pixel pad: about 2 pixels once the digit is fitted into 20x20

const byId = (id) => document.getElementById(id);
const state = { pointer: null, drawn: null, anchor: null, extent: 4 };
let models;

const ready = start();
window.edgevae = {
  ready,
  generate: async (z) => (await ready, models.generator.generate(z)),
  encode: async (images) => (await ready, models.encoder.encode(images)),
};
ready.then(() => performance.mark('edgevae-ready'), () => {}); // read by web/bench.mjs
ready.catch((error) => {
  byId('status').textContent = `Could not load the model: ${error.message}`;
  byId('status').classList.add('error');
});

async function start() {
  const { generator, encoder, latentMap } = await openModels();
  models = { generator, encoder };
  if (generator.latentDim !== 2) {
    byId('status').textContent = `This model's latent space has ${generator.latentDim} dimensions; the plane needs 2.`;
    return;
  }
  state.extent = planeExtent(latentMap);
  state.base = drawMap(latentMap);
  drawLegend(latentMap);
  await Promise.all([drawManifold(generator), showPoint([0, 0])]);
  if (generator.digitAnchors) addAnchorButtons(generator.digitAnchors);
  wirePlane();
  wirePad();
  const metrics = generator.manifest?.metrics?.test_negative_elbo_nats;
  byId('status').textContent = `Model loaded (2-D latent space${metrics ? `, test -ELBO ${metrics} nats` : ''}).`;
}

/** Half the plane's width in latent units: covers nearly all of the map, at least +-3. */
function planeExtent(latentMap) {
  if (!latentMap) return 4;
  const sizes = latentMap.z.map(([x, y]) => Math.max(Math.abs(x), Math.abs(y))).sort((a, b) => a - b);
  const nearlyAll = sizes[Math.floor(0.995 * (sizes.length - 1))] * 1.1;
  return Math.min(8, Math.max(3, Math.ceil(nearlyAll * 2) / 2));
}

function toCanvas([x, y], canvas) {
  const { extent } = state;
  return [((x + extent) / (2 * extent)) * canvas.width, ((extent - y) / (2 * extent)) * canvas.height];
}

function toLatent(event, canvas) {
  const box = canvas.getBoundingClientRect();
  const { extent } = state;
  const x = ((event.clientX - box.left) / box.width) * 2 * extent - extent;
  const y = extent - ((event.clientY - box.top) / box.height) * 2 * extent;
  return [Math.max(-extent, Math.min(extent, x)), Math.max(-extent, Math.min(extent, y))];
}

/** The static layer: axes and the test digits' latent means, drawn once into an offscreen canvas. */
function drawMap(latentMap) {
  const plane = byId('plane');
  const base = document.createElement('canvas');
  [base.width, base.height] = [plane.width, plane.height];
  const context = base.getContext('2d');
  context.fillStyle = '#fff';
  context.fillRect(0, 0, base.width, base.height);
  context.strokeStyle = '#e3e6eb';
  for (let tick = -Math.floor(state.extent); tick <= state.extent; tick++) {
    const [x, y] = toCanvas([tick, tick], base);
    context.lineWidth = tick === 0 ? 1.5 : 0.5;
    context.beginPath();
    context.moveTo(x, 0);
    context.lineTo(x, base.height);
    context.moveTo(0, y);
    context.lineTo(base.width, y);
    context.stroke();
  }
  if (latentMap) {
    context.globalAlpha = 0.6;
    latentMap.z.forEach((point, index) => {
      const [x, y] = toCanvas(point, base);
      context.fillStyle = COLOURS[latentMap.digit[index]];
      context.fillRect(x - 1.5, y - 1.5, 3, 3);
    });
    context.globalAlpha = 1;
  }
  return base;
}

function drawLegend(latentMap) {
  if (!latentMap) return;
  byId('legend').replaceChildren(...COLOURS.map((colour, digit) => {
    const item = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.style.background = colour;
    item.append(swatch, String(digit));
    return item;
  }));
}

/** The map, then the marks: the drawn digit's ring, the asked-for anchor, the pointer's cross. */
function drawPlane() {
  const plane = byId('plane');
  const context = plane.getContext('2d');
  context.drawImage(state.base, 0, 0);
  if (state.drawn) {
    const [x, y] = toCanvas(state.drawn, plane);
    context.lineWidth = 3;
    context.strokeStyle = '#000';
    context.beginPath();
    context.arc(x, y, 9, 0, 2 * Math.PI);
    context.stroke();
  }
  if (state.anchor) {
    const [x, y] = toCanvas(state.anchor.anchor, plane);
    context.fillStyle = '#000';
    context.fillRect(x - 10, y - 10, 20, 20);
    context.fillStyle = '#fff';
    context.font = 'bold 15px system-ui, sans-serif';
    context.textAlign = 'center';
    context.textBaseline = 'middle';
    context.fillText(String(state.anchor.digit), x, y + 1);
  }
  if (state.pointer && NARROW.matches) {
    // On a phone the digit panel is below the plane, out of sight under a finger: inset it here.
    const size = plane.width / 5;
    context.imageSmoothingEnabled = false;
    context.drawImage(byId('digit'), plane.width - size - 4, 4, size, size);
    context.strokeStyle = '#888';
    context.lineWidth = 1;
    context.strokeRect(plane.width - size - 4, 4, size, size);
  }
  if (state.pointer) {
    const [x, y] = toCanvas(state.pointer, plane);
    context.lineWidth = 2;
    context.strokeStyle = '#000';
    context.beginPath();
    context.moveTo(x - 8, y);
    context.lineTo(x + 8, y);
    context.moveTo(x, y - 8);
    context.lineTo(x, y + 8);
    context.stroke();
  }
}

function paint(canvas, pixels, left = 0, top = 0) {
  const image = new ImageData(28, 28);
  pixels.forEach((value, index) => {
    const level = Math.round(Math.min(1, Math.max(0, value)) * 255);
    image.data.set([level, level, level, 255], index * 4);
  });
  canvas.getContext('2d', { willReadFrequently: true }).putImageData(image, left, top); // read back by tests
}

/** Runs `task` with the latest argument only, one call at a time: pointer moves outpace the model. */
function latestOnly(task) {
  let pending = null;
  let running = false;
  return async (argument) => {
    pending = argument;
    if (running) return;
    running = true;
    try {
      while (pending !== null) {
        const next = pending;
        pending = null;
        await task(next);
      }
    } finally {
      running = false;
    }
  };
}

async function showPoint(z) {
  const [image] = await models.generator.generate([z]);
  paint(byId('digit'), image);
  const point = byId('point');
  point.textContent = `z = (${z[0].toFixed(2)}, ${z[1].toFixed(2)})`;
  point.dataset.z = JSON.stringify(z);
  state.pointer = z;
  drawPlane();
}

function wirePlane() {
  const plane = byId('plane');
  const follow = latestOnly(showPoint);
  const onPointer = (event) => follow(toLatent(event, plane)).catch(reportError);
  plane.addEventListener('pointermove', onPointer);
  plane.addEventListener('pointerdown', onPointer);
}

function addAnchorButtons(anchors) {
  const buttons = anchors.map((entry) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = String(entry.digit);
    button.dataset.digit = String(entry.digit);
    button.addEventListener('click', () => {
      state.anchor = entry;
      showPoint(entry.anchor).catch(reportError);
    });
    return button;
  });
  byId('anchor-buttons').replaceChildren(...buttons);
  byId('anchors').hidden = false;
}

async function drawManifold(generator) {
  const images = await generator.generate(manifoldGrid(MANIFOLD_SIZE, 0.95, generator.prior));
  const canvas = byId('manifold');
  images.forEach((image, index) => {
    paint(canvas, image, (index % MANIFOLD_SIZE) * 28, Math.floor(index / MANIFOLD_SIZE) * 28);
  });
}

function wirePad() {
  const pad = byId('pad');
  const context = pad.getContext('2d', { willReadFrequently: true });
  const clear = () => {
    context.fillStyle = '#000';
    context.fillRect(0, 0, pad.width, pad.height);
  };
  clear();
  let last = null;
  const position = (event) => {
    const box = pad.getBoundingClientRect();
    return [((event.clientX - box.left) / box.width) * pad.width, ((event.clientY - box.top) / box.height) * pad.height];
  };
  const strokeTo = (point) => {
    context.strokeStyle = '#fff';
    context.fillStyle = '#fff';
    context.lineWidth = PAD_STROKE;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.beginPath();
    context.moveTo(...(last ?? point));
    context.lineTo(...point);
    context.stroke();
    last = point;
  };
  pad.addEventListener('pointerdown', (event) => {
    pad.setPointerCapture(event.pointerId);
    last = null;
    strokeTo(position(event));
  });
  pad.addEventListener('pointermove', (event) => {
    if (last !== null) strokeTo(position(event));
  });
  const finish = () => {
    if (last === null) return;
    last = null;
    encodeDrawing(pad).catch(reportError);
  };
  pad.addEventListener('pointerup', finish);
  pad.addEventListener('pointercancel', finish);
  byId('clear').addEventListener('click', () => {
    clear();
    state.drawn = null;
    for (const id of ['pad-input', 'pad-output']) byId(id).getContext('2d', { willReadFrequently: true }).clearRect(0, 0, 28, 28);
    byId('pad-z').textContent = '';
    delete byId('pad-z').dataset.z;
    byId('pad-digit').textContent = '';
    delete byId('pad-digit').dataset.digit;
    drawPlane();
  });
}

async function encodeDrawing(pad) {
  const pixels = mnistForm(pad);
  if (pixels === null) return;
  paint(byId('pad-input'), pixels);
  const { z_mean: [z], digit, probability } = await models.encoder.encode([pixels]);
  const [reconstruction] = await models.generator.generate([z]);
  paint(byId('pad-output'), reconstruction);
  state.drawn = [z[0], z[1]];
  const label = byId('pad-z');
  label.textContent = `z = (${z[0].toFixed(2)}, ${z[1].toFixed(2)})`;
  label.dataset.z = JSON.stringify(state.drawn);
  label.dataset.input = JSON.stringify(Array.from(pixels));
  const read = byId('pad-digit');
  if (digit) { // a model with a digit head names what it read
    read.textContent = `Read as a ${digit[0]} (${Math.round(probability[0] * 100)}% sure)`;
    read.dataset.digit = String(digit[0]);
    read.dataset.probability = String(probability[0]);
  }
  drawPlane();
}

function reportError(error) {
  byId('status').textContent = `Error: ${error.message}`;
  byId('status').classList.add('error');
}
