#!/usr/bin/env bash
# Run edgevae's runtime test suite as 64-bit ARM (what a Raspberry Pi 4/5 with
# 64-bit Raspberry Pi OS runs), emulated on an x86_64 Debian host with qemu
# user-mode emulation. No ARM hardware and no binfmt_misc needed.
#
#   scripts/test-arm.sh                 # build/reuse the env, run tests, parity, figures
#   scripts/test-arm.sh -k generate     # extra arguments go to pytest
#
# What it builds, once, under $ARM_CACHE (default .cache/arm/, gitignored):
#   root/    Debian bookworm arm64 python3.11 and the libraries it needs, unpacked
#            with `dpkg -x` from packages fetched with a private apt state (the
#            host's dpkg is never told about arm64), plus a Raspberry Pi 4 style
#            root/proc/cpuinfo: onnxruntime reads /proc/cpuinfo, and the host's
#            x86 one makes it crash with SIGSEGV; qemu's -L also redirects it.
#   wheels/  aarch64 wheels from PyPI (onnxruntime, numpy, pillow, click, pytest, pytest-xdist).
#   site/    those wheels installed with pip --target.
#   bin/python3  the interpreter wrapper: qemu-aarch64-static -cpu cortex-a72 -L root
#            ... so that sys.executable (and so the tests' CLI subprocesses) stays emulated.
#   edgevae/ the edgevae wheel built from this checkout (rebuilt on every run).
# Steps that finished leave a stamp in stamps/; delete .cache/arm to start over.
#
# Environment knobs:
#   ARM_CACHE        cache folder (default: <repo>/.cache/arm)
#   HOST_PYTHON      host python with onnxruntime+numpy, for the parity reference
#                    (default: <repo>/.venv/bin/python)
#   ARM_ONNXRUNTIME  pip requirement for the aarch64 onnxruntime (default: the host
#                    venv's exact version, so that parity compares like with like;
#                    "onnxruntime!=1.21.0" when there is no host venv)
#   ARM_PYTEST_WORKERS=N   run pytest with pytest-xdist, N emulated workers (default: serial)
#   ARM_SKIP_PARITY=1, ARM_SKIP_FIGURES=1   skip those parts
#   ARM_PARITY_AGAINST=exact   check aarch64 against onnx's reference evaluator instead of
#                    x86 onnxruntime (whose int8 kernels on AVX2 without VNNI can saturate)
#   ARM_DEBIAN_MIRROR, ARM_DEBIAN_SECURITY_MIRROR   override the mirrors read from
#                    the host's apt sources
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HERE="$REPO/scripts/arm"
CACHE="${ARM_CACHE:-$REPO/.cache/arm}"
mkdir -p "$CACHE"
CACHE="$(cd "$CACHE" && pwd)"
STAMPS="$CACHE/stamps"
ROOT="$CACHE/root"
SITE="$CACHE/site"
EVSITE="$CACHE/edgevae"
WRAP="$CACHE/bin/python3"
SUITE=bookworm
QEMU_CPU=cortex-a72   # the Raspberry Pi 4's core (Pi 5: cortex-a76)

# Runtime needs of python3.11 on Debian bookworm arm64 (ssl, sqlite3, zlib, lzma,
# bz2, ctypes, uuid, readline, dbm, decimal ...) plus what the wheels link against
# (libstdc++6, libgcc-s1, libgomp1). Found by trial and with apt-cache depends;
# dpkg/tar/perl and friends are left out on purpose.
DEBS=(
  python3.11 python3.11-minimal libpython3.11-minimal libpython3.11-stdlib media-types
  libc6 libgcc-s1 libstdc++6 libgomp1 libssl3 libffi8 zlib1g liblzma5 libbz2-1.0
  libexpat1 libsqlite3-0 libuuid1 libncursesw6 libtinfo6 libreadline8 readline-common
  libdb5.3 libnsl2 libtirpc3 libtirpc-common libgssapi-krb5-2 libkrb5-3 libk5crypto3
  libkrb5support0 libkeyutils1 libcom-err2 libcrypt1
)
# Raspberry Pi OS bookworm has glibc 2.36: any manylinux_2_17 .. 2_36 aarch64 wheel runs there.
PLATFORMS=()
for v in $(seq 36 -1 17); do PLATFORMS+=(--platform "manylinux_2_${v}_aarch64"); done
PLATFORMS+=(--platform manylinux2014_aarch64)
PIP_TARGET_FLAGS=(--only-binary=:all: --python-version 3.11 --implementation cp --abi cp311 "${PLATFORMS[@]}")

T0=$SECONDS
say() { printf 'test-arm: %s\n' "$*" >&2; }
die() { printf 'test-arm: FAILED: %s\n' "$*" >&2; exit 1; }
# stamp_ok NAME KEY: the step NAME finished before with the same KEY
stamp_ok() { [[ -f "$STAMPS/$1" && "$(cat "$STAMPS/$1")" == "$2" ]]; }
stamp_set() { mkdir -p "$STAMPS"; printf '%s' "$2" > "$STAMPS/$1"; }

HOST_PY="${HOST_PYTHON:-$REPO/.venv/bin/python}"
if [[ ! -x "$HOST_PY" ]]; then HOST_PY="$(command -v python3 || true)"; fi
[[ -n "$HOST_PY" ]] || die "no host python3 (needed for pip)"

# ---------------------------------------------------------------------------
# 1. qemu-user-static (host package)
if ! command -v qemu-aarch64-static >/dev/null; then
  SUDO=(); [[ $(id -u) -eq 0 ]] || SUDO=(sudo)
  say "installing qemu-user-static"
  if ! "${SUDO[@]}" apt-get install -y -qq qemu-user-static >/dev/null 2>&1; then
    "${SUDO[@]}" apt-get update -qq >/dev/null 2>&1 || die "apt-get update failed (host)"
    "${SUDO[@]}" apt-get install -y -qq qemu-user-static >/dev/null 2>&1 \
      || die "cannot install Debian package qemu-user-static"
  fi
  command -v qemu-aarch64-static >/dev/null || die "qemu-user-static installed but no qemu-aarch64-static"
fi

# ---------------------------------------------------------------------------
# 2. Debian arm64 root, with a private apt state
APTD="$CACHE/apt"
APT_OPTS=(
  -oAPT::Architecture=arm64 -oAPT::Architectures=arm64
  "-oDir::State::Lists=$APTD/lists" "-oDir::Cache=$APTD/cache" "-oDir::State::Status=$APTD/status"
  "-oDir::Etc::SourceList=$APTD/sources.list" "-oDir::Etc::SourceParts=$APTD/sources.list.d"
  "-oDir::Etc::Preferences=$APTD/preferences" "-oDir::Etc::PreferencesParts=$APTD/preferences.d"
)
[[ $(id -u) -eq 0 ]] && APT_OPTS+=(-oAPT::Sandbox::User=root)  # files in $CACHE are root's

host_mirror() {  # host_mirror REGEX: first matching URI in the host's apt sources
  local files=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources)
  local f
  for f in "${files[@]}"; do [[ -f "$f" ]] && grep -v '^[[:space:]]*#' "$f"; done 2>/dev/null \
    | grep -oE "https?://[^[:space:]]+$1/?([[:space:]]|$)" | head -n1 | tr -d '[:space:]' | sed 's#/$##'
}
MIRROR="${ARM_DEBIAN_MIRROR:-$(host_mirror '/debian' || true)}"
SECMIRROR="${ARM_DEBIAN_SECURITY_MIRROR:-$(host_mirror '/debian-security' || true)}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
SECMIRROR="${SECMIRROR:-http://deb.debian.org/debian-security}"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
[[ -f "$KEYRING" ]] || die "no $KEYRING (Debian package debian-archive-keyring)"

key="$SUITE $MIRROR $SECMIRROR"
if ! stamp_ok apt-lists "$key"; then
  say "apt (arm64, private state): update from $MIRROR"
  rm -rf "$APTD"
  mkdir -p "$APTD/lists/partial" "$APTD/cache/archives/partial" "$APTD/sources.list.d" "$APTD/preferences.d"
  : > "$APTD/status"; : > "$APTD/preferences"
  {
    echo "deb [arch=arm64 signed-by=$KEYRING] $MIRROR $SUITE main"
    echo "deb [arch=arm64 signed-by=$KEYRING] $MIRROR $SUITE-updates main"
    echo "deb [arch=arm64 signed-by=$KEYRING] $SECMIRROR $SUITE-security main"
  } > "$APTD/sources.list"
  apt-get "${APT_OPTS[@]}" -qq update >"$CACHE/apt-update.log" 2>&1 \
    || die "apt-get update (arm64, $MIRROR) failed; see $CACHE/apt-update.log"
  stamp_set apt-lists "$key"
fi

key="${DEBS[*]}"
if ! stamp_ok debs "$key"; then
  say "fetching ${#DEBS[@]} Debian $SUITE arm64 packages"
  rm -rf "$CACHE/debs"; mkdir -p "$CACHE/debs"
  if ! (cd "$CACHE/debs" && apt-get "${APT_OPTS[@]}" -qq download "${DEBS[@]}") >"$CACHE/apt-download.log" 2>&1; then
    for p in "${DEBS[@]}"; do  # name the package(s) that cannot be had
      (cd "$CACHE/debs" && apt-get "${APT_OPTS[@]}" -qq download "$p") >/dev/null 2>&1 \
        || die "cannot fetch Debian arm64 package '$p' ($MIRROR $SUITE); see $CACHE/apt-download.log"
    done
  fi
  stamp_set debs "$key"
  rm -f "$STAMPS/root"
fi

key="root-v2 $(cd "$CACHE/debs" && ls | sha256sum | cut -c1-16) $(sha256sum < "$HERE/cpuinfo" | cut -c1-16)"
if ! stamp_ok root "$key"; then
  say "unpacking the arm64 root"
  rm -rf "$ROOT"; mkdir -p "$ROOT"
  for f in "$CACHE"/debs/*.deb; do dpkg -x "$f" "$ROOT" || die "cannot unpack $(basename "$f")"; done
  # The trap: onnxruntime's CPU detection reads /proc/cpuinfo; qemu -L serves this one.
  mkdir -p "$ROOT/proc"; cp "$HERE/cpuinfo" "$ROOT/proc/cpuinfo"
  # qemu -L falls back to host paths that the root lacks. Debian's python adds these two
  # dist-packages to sys.path; give the root empty ones so the host's x86 ones stay hidden.
  mkdir -p "$ROOT/usr/lib/python3/dist-packages" "$ROOT/usr/local/lib/python3.11/dist-packages"
  # Debian makes the stdlib's .pyc files in postinst, which dpkg -x skips; without them
  # every emulated start compiles the stdlib again (~1.3 s). Any 3.11.x writes the same
  # bytecode format, so a host 3.11 does it fast; otherwise the emulated one does, once.
  if python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
    python3 -m compileall -q -j0 "$ROOT/usr/lib/python3.11" >/dev/null 2>&1 || true
  else
    qemu-aarch64-static -cpu "$QEMU_CPU" -L "$ROOT" "$ROOT/usr/bin/python3.11" -m compileall -q \
      /usr/lib/python3.11 >/dev/null 2>&1 || true
  fi
  stamp_set root "$key"
fi

# ---------------------------------------------------------------------------
# 3. aarch64 wheels from PyPI, installed with pip --target
if [[ -n "${ARM_ONNXRUNTIME:-}" ]]; then
  ORT_REQ="$ARM_ONNXRUNTIME"
elif v="$("$HOST_PY" -c 'from importlib.metadata import version as v; print(v("onnxruntime"))' 2>/dev/null)" && [[ "$v" != 1.21.0 ]]; then
  ORT_REQ="onnxruntime==$v"
else
  ORT_REQ="onnxruntime!=1.21.0"
fi
REQS=("$ORT_REQ" numpy pillow click pytest pytest-xdist)
key="${REQS[*]}"
if ! stamp_ok wheels "$key"; then
  say "downloading aarch64 wheels: ${REQS[*]}"
  rm -rf "$CACHE/wheels"; mkdir -p "$CACHE/wheels"
  if ! "$HOST_PY" -m pip download -q --disable-pip-version-check "${PIP_TARGET_FLAGS[@]}" \
        -d "$CACHE/wheels" "${REQS[@]}" >"$CACHE/pip-download.log" 2>&1; then
    for r in "${REQS[@]}"; do
      "$HOST_PY" -m pip download -q --disable-pip-version-check "${PIP_TARGET_FLAGS[@]}" \
        -d "$CACHE/wheels" "$r" >/dev/null 2>&1 \
        || die "cannot fetch an aarch64 cp311 wheel for '$r' (or one of its dependencies) from PyPI; see $CACHE/pip-download.log"
    done
  fi
  stamp_set wheels "$key"
  rm -f "$STAMPS/site"
fi

key="$(cd "$CACHE/wheels" && ls | sha256sum | cut -c1-16)"
if ! stamp_ok site "$key"; then
  say "installing the aarch64 wheels into $SITE"
  rm -rf "$SITE"
  "$HOST_PY" -m pip install -q --disable-pip-version-check --no-deps --no-index --target "$SITE" \
    "${PIP_TARGET_FLAGS[@]}" "$CACHE"/wheels/*.whl >"$CACHE/pip-install.log" 2>&1 \
    || die "pip install --target of the aarch64 wheels failed; see $CACHE/pip-install.log"
  rm -rf "$SITE/bin"  # console scripts with x86 shebangs; bin/ has emulated ones
  stamp_set site "$key"
fi

# A build env for the edgevae wheel (the project needs a newer setuptools than a
# plain venv has), made once.
BUILDENV="$CACHE/buildenv"
if ! stamp_ok buildenv "setuptools>=77"; then
  say "making the wheel build env"
  rm -rf "$BUILDENV"
  python3 -m venv "$BUILDENV" >/dev/null 2>&1 || "$HOST_PY" -m venv "$BUILDENV" || die "cannot make a venv for building the wheel"
  "$BUILDENV/bin/python" -m pip install -q --disable-pip-version-check 'setuptools>=77' wheel >"$CACHE/buildenv.log" 2>&1 \
    || die "cannot install setuptools>=77 into the build env; see $CACHE/buildenv.log"
  stamp_set buildenv "setuptools>=77"
fi

# ---------------------------------------------------------------------------
# 4. edgevae itself: build a wheel of this checkout (pure Python) and install it,
#    runtime only, no extras. Every run: the source changes.
say "building and installing the edgevae wheel"
SRC="$CACHE/src"; DIST="$CACHE/dist"
rm -rf "$SRC" "$DIST" "$EVSITE"; mkdir -p "$SRC" "$DIST"
tar -C "$REPO" --exclude=./.git --exclude=./.venv --exclude=./.cache --exclude=./build \
    --exclude=./dist --exclude='*.egg-info' --exclude=__pycache__ --exclude=./runs -cf - . | tar -C "$SRC" -xf -
"$BUILDENV/bin/python" -m pip wheel -q --disable-pip-version-check --no-deps --no-build-isolation \
  -w "$DIST" "$SRC" >"$CACHE/wheel-build.log" 2>&1 || die "building the edgevae wheel failed; see $CACHE/wheel-build.log"
"$HOST_PY" -m pip install -q --disable-pip-version-check --no-deps --no-index --target "$EVSITE" \
  "$DIST"/edgevae-*.whl >"$CACHE/wheel-install.log" 2>&1 || die "installing the edgevae wheel failed; see $CACHE/wheel-install.log"
rm -rf "$EVSITE/bin" "$SRC"

# ---------------------------------------------------------------------------
# 5. The emulated interpreter. qemu's -0 sets argv[0], from which Python derives
#    sys.executable: subprocesses started with sys.executable come back here.
#    The site folders go on sys.path through a .pth file, so the env needs no
#    PYTHONPATH and survives tests that pass their own env to subprocesses.
mkdir -p "$CACHE/bin"
printf '%s\n%s\n' "$SITE" "$EVSITE" > "$ROOT/usr/local/lib/python3.11/dist-packages/edgevae-arm.pth"
cat > "$WRAP" <<EOF
#!/bin/sh
# python3.11 from Debian $SUITE arm64, run by qemu user-mode emulation (made by scripts/test-arm.sh)
exec qemu-aarch64-static -cpu $QEMU_CPU -L "$ROOT" -0 "\$0" "$ROOT/usr/bin/python3.11" "\$@"
EOF
cat > "$CACHE/bin/edgevae" <<EOF
#!/bin/sh
exec "$WRAP" -c 'import sys; from edgevae.runtime.cli import main; sys.argv[0] = "edgevae"; sys.exit(main())' "\$@"
EOF
chmod +x "$WRAP" "$CACHE/bin/edgevae"

cd "$REPO"
unset PYTHONPATH PYTHONHOME PYTHONSTARTUP || true
export PYTHONNOUSERSITE=1
say "env ready after $((SECONDS - T0)) s; smoke test (emulated aarch64)"
"$WRAP" "$HERE/smoke.py" --expect-site "$SITE" --expect-edgevae "$EVSITE" \
  || die "the emulated interpreter does not work (see above)"

# ---------------------------------------------------------------------------
# 6. The runtime's test suite, emulated. Tests import the installed edgevae: the
#    checkout has no top-level edgevae/ folder, so nothing shadows it.
status=0
if compgen -G "$REPO/tests/runtime/test_*.py" >/dev/null || compgen -G "$REPO/tests/runtime/*_test.py" >/dev/null; then
  say "pytest tests/runtime (emulated aarch64)"
  t=$SECONDS
  workers=()
  [[ -n "${ARM_PYTEST_WORKERS:-}" ]] && workers=(-n "$ARM_PYTEST_WORKERS")
  "$WRAP" -m pytest tests/runtime -q -p no:cacheprovider "${workers[@]}" "$@" || status=$?
  say "pytest took $((SECONDS - t)) s (exit $status)"
else
  say "no tests in tests/runtime yet"
fi

# ---------------------------------------------------------------------------
# 7. Parity: bundled models on aarch64 vs x86, max abs diff <= 1e-5.
if [[ "${ARM_SKIP_PARITY:-0}" != 1 ]]; then
  if ls "$EVSITE"/edgevae/runtime/pretrained/*.onnx >/dev/null 2>&1; then
    say "parity: reference on x86 ($HOST_PY), check on emulated aarch64"
    "$HOST_PY" -c 'import onnxruntime, numpy' 2>/dev/null \
      || die "parity needs a host python with onnxruntime and numpy (set HOST_PYTHON; got $HOST_PY)"
    PYTHONPATH="$EVSITE" "$HOST_PY" "$HERE/parity.py" --save "$CACHE/parity-ref.npz" || die "parity reference (x86) failed"
    "$WRAP" "$HERE/parity.py" --check "$CACHE/parity-ref.npz" --against "${ARM_PARITY_AGAINST:-x86}" || { status=1; say "parity FAILED"; }
  else
    say "parity: skipped, no bundled models in edgevae/runtime/pretrained/"
  fi
fi

# ---------------------------------------------------------------------------
# 8. Figures measured under emulation (for the README's Raspberry Pi section).
if [[ "${ARM_SKIP_FIGURES:-0}" != 1 ]]; then
  if ls "$EVSITE"/edgevae/runtime/pretrained/*.onnx >/dev/null 2>&1; then
    "$WRAP" "$HERE/emulated_figures.py" --edgevae "$CACHE/bin/edgevae" --qemu-cpu "$QEMU_CPU" || { status=1; say "figures FAILED"; }
  else
    say "figures: skipped, no bundled models"
  fi
fi

say "done in $((SECONDS - T0)) s, exit $status"
exit "$status"
