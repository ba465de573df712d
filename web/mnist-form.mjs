/**
 * A drawing in MNIST form, as runtime/images.py's mnist_form does it for clean input: the ink's
 * bounding box, fitted into 20x20 (longer side 20 pixels), strokes brought up to full white, and
 * placed in a 28x28 field so that the centre of mass lands on the middle pixel.
 * `canvas` is an HTMLCanvasElement of any size holding white ink on black, like the page's pad (its
 * red channel is read); the result is a Float32Array(784) in [0, 1], ready for encode(), or null when
 * there is no ink. Browsers only: it resizes on a canvas of its own. Exported by edgevae.mjs.
 */
const FIELD = 28;
const BOX = 20;

export function mnistForm(canvas) {
  const { width, height } = canvas;
  const rgba = canvas.getContext('2d', { willReadFrequently: true }).getImageData(0, 0, width, height).data;
  let peak = 0;
  for (let index = 0; index < rgba.length; index += 4) peak = Math.max(peak, rgba[index]);
  if (peak < 0.1 * 255) return null;
  const box = inkBox(rgba, width, height, 0.2 * peak);
  const scale = BOX / Math.max(box.width, box.height);
  const size = [Math.max(1, Math.round(box.width * scale)), Math.max(1, Math.round(box.height * scale))];
  const small = document.createElement('canvas');
  [small.width, small.height] = size;
  const context = small.getContext('2d', { willReadFrequently: true });
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high'; // area-averaging when shrinking, like a good resampling filter
  context.drawImage(canvas, box.left, box.top, box.width, box.height, 0, 0, size[0], size[1]);
  const shrunk = context.getImageData(0, 0, size[0], size[1]).data;
  const digit = new Float32Array(size[0] * size[1]);
  let brightest = 1;
  for (let index = 0; index < digit.length; index++) {
    digit[index] = shrunk[index * 4];
    brightest = Math.max(brightest, digit[index]);
  }
  for (let index = 0; index < digit.length; index++) digit[index] /= brightest; // thin strokes fade when shrunk
  return centreByMass(digit, size[0], size[1]);
}

function inkBox(rgba, width, height, threshold) {
  let top = height;
  let bottom = -1;
  let left = width;
  let right = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (rgba[(y * width + x) * 4] > threshold) {
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
  }
  return { top, left, width: right - left + 1, height: bottom - top + 1 };
}

/** The digit [height][width] placed in 28x28 with its centre of mass on the middle pixel; halves round up
 * (Math.round), as runtime/images.py does (tests/contract/cases.json). */
export function centreByMass(digit, width, height) {
  let total = 0;
  let rowMoment = 0;
  let columnMoment = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const value = digit[y * width + x];
      total += value;
      rowMoment += value * y;
      columnMoment += value * x;
    }
  }
  const rowCentre = total ? rowMoment / total : (height - 1) / 2;
  const columnCentre = total ? columnMoment / total : (width - 1) / 2;
  const top = Math.min(Math.max(Math.round(FIELD / 2 - rowCentre), 0), FIELD - height);
  const left = Math.min(Math.max(Math.round(FIELD / 2 - columnCentre), 0), FIELD - width);
  const field = new Float32Array(FIELD * FIELD);
  for (let y = 0; y < height; y++) field.set(digit.subarray(y * width, (y + 1) * width), (top + y) * FIELD + left);
  return field;
}
