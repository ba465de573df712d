// The Python runtime's outputs for the same inputs, computed now (web/test/reference.py), never stored.
// make test-web computes them once and passes the folder in EDGEVAE_REFERENCE; alone, each test file
// runs the script itself with EDGEVAE_PYTHON (default: the repository's .venv).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BUNDLED_MODEL = join(ROOT, 'runtime', 'pretrained');
export const PYTHON = process.env.EDGEVAE_PYTHON ?? join(ROOT, '.venv', 'bin', 'python');

export function referenceFolder() {
  if (process.env.EDGEVAE_REFERENCE) return process.env.EDGEVAE_REFERENCE;
  const folder = join(temporaryFolder('reference'), 'reference');
  execFileSync(PYTHON, [join(ROOT, 'web', 'test', 'reference.py'), folder], { stdio: ['ignore', 'ignore', 'inherit'] });
  return folder;
}

export function loadReference(folder) {
  return JSON.parse(readFileSync(join(folder, 'reference.json'), 'utf8'));
}

/** The largest absolute difference between two lists of rows. */
export function maxDifference(actual, expected) {
  let largest = 0;
  expected.forEach((row, index) => {
    row.forEach((value, column) => {
      largest = Math.max(largest, Math.abs(actual[index][column] - value));
    });
  });
  return largest;
}

/**
 * window.edgevae on an open page against the Python runtime (reference.fp32), within `tolerance`:
 * generate on the fixed latents and encode on the real MNIST digits. Returns what a latent of the wrong
 * size gets, as "Name: message".
 */
export async function checkParity(page, reference, tolerance) {
  const generated = await page.evaluate(async (z) => (await window.edgevae.generate(z)).map((row) => Array.from(row)), reference.latents);
  assert.ok(maxDifference(generated, reference.fp32.generated) <= tolerance);
  const encoded = await page.evaluate(async (images) => {
    const { z_mean, z_log_var } = await window.edgevae.encode(images.map((image) => Uint8Array.from(image)));
    return { z_mean: z_mean.map((row) => Array.from(row)), z_log_var: z_log_var.map((row) => Array.from(row)) };
  }, reference.images);
  assert.ok(maxDifference(encoded.z_mean, reference.fp32.z_mean) <= tolerance);
  assert.ok(maxDifference(encoded.z_log_var, reference.fp32.z_log_var) <= tolerance);
  return page.evaluate(() => window.edgevae.generate([[0, 0, 0]]).catch((reason) => `${reason.name}: ${reason.message}`));
}

const temporaryFolders = [];
process.on('exit', () => {
  for (const folder of temporaryFolders) rmSync(folder, { recursive: true, force: true, maxRetries: 5 });
});

/** A new empty folder, removed when the test process exits. */
export function temporaryFolder(name) {
  const folder = mkdtempSync(join(tmpdir(), `edgevae-${name}-`));
  temporaryFolders.push(folder);
  return folder;
}
