#!/usr/bin/env bash
# The npm package as a user gets it, not the checkout: `npm pack` in web/, the tarball installed into an
# empty folder with onnxruntime-node, then there
#   - the README's Node.js snippet (the block marked <!-- run by: make test-npm -->), as written, with
#     an exported model folder at model/ (the bundled one);
#   - its TypeScript declarations, type-checked (tsc --strict) against a program that uses every export.
# Leaves the tested tarball in build/test-npm/ (RELEASING.md publishes that file).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
WORK="$REPO/build/test-npm"
rm -rf "$WORK"
mkdir -p "$WORK/app"

say() { printf 'test-npm: %s\n' "$*"; }
version_of() { node -p "require('$REPO/web/package.json').devDependencies['$1']"; }

tarball="$WORK/$(cd web && npm pack --silent --pack-destination "$WORK")"
contents="$(tar tzf "$tarball" | sed 's|^package/||' | sort | tr '\n' ' ')"
say "$(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB): $contents"
expected="README.md edgevae.d.ts edgevae.mjs mnist-form.mjs package.json "
[[ "$contents" == "$expected" ]] || { say "FAILED: the tarball should hold exactly: $expected" >&2; exit 1; }

cd "$WORK/app"
printf '{ "name": "edgevae-npm-test", "private": true, "type": "module" }\n' > package.json
# onnxruntime-node's install script downloads CUDA files from outside the registry: skipped, as in web/.
ONNXRUNTIME_NODE_INSTALL=skip npm install --ignore-scripts --no-audit --no-fund --silent \
  "$tarball" "onnxruntime-node@$(version_of onnxruntime-node)" typescript@5.9.3
cp -r "$REPO/runtime/pretrained" model

python3 "$REPO/tests/readme_snippets.py" "run by: make test-npm" > snippet.mjs
say "the README's Node.js snippet:"
output="$(node snippet.mjs)"
echo "$output"
[[ "$output" =~ ^784\ pixels ]] || { say "FAILED: the snippet printed something else" >&2; exit 1; }

cat > check.ts <<'TS'
import * as ort from 'onnxruntime-node';
import {
  EdgeVAEError, loadEncoder, loadGenerator, mnistForm, parsePrior, sampleMixture, seededRandom,
  type Generator, type Prior,
} from 'edgevae';

const generator: Generator = await loadGenerator(ort, 'model/', { int8: true });
const images: Float32Array[] = await generator.generate([[0.5, -1]]);
const sevens: Float32Array[] = await generator.sample(4, { seed: 0, digit: 7 });
const encoder = await loadEncoder(ort, 'model/');
const { z_mean } = await encoder.encode([Uint8Array.from(images[0], (value) => value * 255)]);
const latent: number = z_mean[0][0];
const read = await encoder.encode([images[0]]);
const named: number | undefined = encoder.knowsDigits ? read.digit?.[0] : undefined;
const sure: number | undefined = read.probability?.[0];
const prior: Prior = generator.prior ?? parsePrior(null, generator.latentDim);
const drawn: number[][] = sampleMixture(prior, 3, seededRandom(1));
const latents: number[][] = generator.sampleLatents(2, { seed: 2 });
const error: Error = new EdgeVAEError('a message');
const form: (canvas: HTMLCanvasElement) => Float32Array | null = mnistForm;
export { drawn, error, form, latent, latents, named, sevens, sure };
TS
say "type-checking the declarations (tsc --strict)"
npx --no-install tsc --strict --noEmit --target es2022 --module nodenext --moduleResolution nodenext check.ts \
  || { say "FAILED: the declarations do not type-check" >&2; exit 1; }
say "passed"
