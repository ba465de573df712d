#!/usr/bin/env bash
# Run edgevae's runtime test suite as a Raspberry Pi's ARM Linux, emulated on an x86_64 Debian host
# with qemu user-mode emulation. No ARM hardware and no binfmt_misc needed.
#
#   scripts/test-arm.sh arm64              # 64-bit Raspberry Pi OS: Debian bookworm's python3.11,
#                                          # PyPI's aarch64 wheels, qemu -cpu cortex-a72 (a Pi 4)
#   scripts/test-arm.sh armhf              # 32-bit: Debian trixie's python3.13 and python3-onnxruntime,
#                                          # edgevae installed with pip --user, qemu -cpu cortex-a7 (a Pi 2)
#   scripts/test-arm.sh armhf -k generate  # extra arguments go to pytest
#
# What it builds, once, under $ARM_CACHE (default .cache/arm for arm64, .cache/armhf; gitignored):
#   apt/, debs/  a private apt state for that architecture (the host's dpkg is never told about it)
#            and the closure of the packages it needs, fetched with `apt-get --download-only`.
#   root/    those packages unpacked with `dpkg -x`, plus a Raspberry Pi style root/proc/cpuinfo:
#            onnxruntime reads /proc/cpuinfo, and the host's x86 one makes it crash with SIGSEGV;
#            qemu's -L serves the root's files in place of the host's.
#   bin/python3  the interpreter wrapper (qemu-...-static -cpu ... -L root python3.X), so that
#            sys.executable, and so the tests' CLI subprocesses, stay emulated.
#   arm64 only: wheels/ and site/, PyPI's aarch64 onnxruntime, numpy, pillow, click and pytest
#            installed with pip --target, and edgevae/, this checkout's wheel (pip --target).
#   armhf only: user/, this checkout's wheel installed the way a user of 32-bit Raspberry Pi OS
#            installs it: `pip install --user --break-system-packages --no-index` against
#            Debian's packages (PYTHONUSERBASE points ~/.local here).
# Then: a smoke test, pytest tests/runtime, parity of the bundled models against x86 (1e-5), and
# emulated timings. Steps that finished leave a stamp in stamps/; delete the cache to start over.
#
# Environment knobs:
#   ARM_CACHE        cache folder
#   HOST_PYTHON      host python with onnxruntime+numpy, for the parity reference
#                    (default: <repo>/.venv/bin/python)
#   ARM_ONNXRUNTIME  arm64: pip requirement for the aarch64 onnxruntime (default: the host venv's
#                    exact version, so that parity compares like with like; "onnxruntime!=1.21.0"
#                    when there is no host venv)
#   ARM_PYTEST_WORKERS=N   arm64: run pytest with pytest-xdist, N emulated workers (default: serial)
#   ARM_SKIP_PARITY=1, ARM_SKIP_FIGURES=1   skip those parts
#   ARM_ROOT_ONLY=1  build (or reuse) the root and stop there: scripts/test-c.sh builds C in it
#   ARM_DEBIAN_MIRROR, ARM_DEBIAN_SECURITY_MIRROR   override the mirrors read from the host's apt sources
set -euo pipefail

ARCH="${1:-}"
case "$ARCH" in
  arm64|armhf) shift ;;
  *) echo "usage: scripts/test-arm.sh arm64|armhf [pytest arguments]" >&2; exit 2 ;;
esac

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HERE="$REPO/scripts/arm"

if [[ $ARCH == arm64 ]]; then
  SUITE=bookworm            # Raspberry Pi OS bookworm's base: python3.11, glibc 2.36
  PYV=3.11
  MACHINE=aarch64
  QEMU=qemu-aarch64-static
  QEMU_CPU=cortex-a72       # the Raspberry Pi 4's core (Pi 5: cortex-a76)
  # python3.11 and what PyPI's wheels link against; the closure brings in the rest.
  APT_PACKAGES=(python3.11 libstdc++6 libgcc-s1 libgomp1)
  WARM_IMPORTS="argparse csv json subprocess tempfile zipfile"  # see "compiles" below
  DEFAULT_CACHE="$REPO/.cache/arm"
else
  SUITE=trixie              # the first Debian with python3-onnxruntime (1.21) for armhf
  PYV=3.13
  MACHINE=armv7l
  QEMU=qemu-arm-static
  QEMU_CPU=cortex-a7        # the Raspberry Pi 2's core, the oldest Pi that Debian's armhf runs on
  # What a 32-bit Raspberry Pi OS user installs with apt, plus pip to install edgevae and pytest;
  # and what a C program over onnxruntime needs to build there (examples/c, `make test-c`).
  APT_PACKAGES=(python3 python3-pip python3-onnxruntime python3-numpy python3-pil python3-click python3-pytest
                gcc libc6-dev make pkgconf libonnxruntime-dev)
  WARM_IMPORTS="argparse csv json subprocess tempfile zipfile onnxruntime numpy PIL.Image click pytest"
  DEFAULT_CACHE="$REPO/.cache/armhf"
fi

CACHE="${ARM_CACHE:-$DEFAULT_CACHE}"
mkdir -p "$CACHE"
CACHE="$(cd "$CACHE" && pwd)"
STAMPS="$CACHE/stamps"
ROOT="$CACHE/root"
WRAP="$CACHE/bin/python3"

T0=$SECONDS
say() { printf 'test-arm %s: %s\n' "$ARCH" "$*" >&2; }
die() { printf 'test-arm %s: FAILED: %s\n' "$ARCH" "$*" >&2; exit 1; }
# stamp_ok NAME KEY: the step NAME finished before with the same KEY
stamp_ok() { [[ -f "$STAMPS/$1" && "$(cat "$STAMPS/$1")" == "$2" ]]; }
stamp_set() { mkdir -p "$STAMPS"; printf '%s' "$2" > "$STAMPS/$1"; }

HOST_PY="${HOST_PYTHON:-$REPO/.venv/bin/python}"
if [[ ! -x "$HOST_PY" ]]; then HOST_PY="$(command -v python3 || true)"; fi
[[ -n "$HOST_PY" ]] || die "no host python3 (needed for pip)"
unset PYTHONPATH PYTHONHOME PYTHONSTARTUP || true

# ---------------------------------------------------------------------------
# 1. qemu-user-static (host package)
if ! command -v "$QEMU" >/dev/null; then
  SUDO=(); [[ $(id -u) -eq 0 ]] || SUDO=(sudo)
  say "installing qemu-user-static"
  if ! "${SUDO[@]}" apt-get install -y -qq qemu-user-static >/dev/null 2>&1; then
    "${SUDO[@]}" apt-get update -qq >/dev/null 2>&1 || die "apt-get update failed (host)"
    "${SUDO[@]}" apt-get install -y -qq qemu-user-static >/dev/null 2>&1 \
      || die "cannot install Debian package qemu-user-static"
  fi
  command -v "$QEMU" >/dev/null || die "qemu-user-static installed but no $QEMU"
fi

# ---------------------------------------------------------------------------
# 2. The Debian root, from a private apt state
APTD="$CACHE/apt"
APT_OPTS=(
  "-oAPT::Architecture=$ARCH" "-oAPT::Architectures=$ARCH"
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

apt_sources() {
  local deb="deb [arch=$ARCH signed-by=$KEYRING]"
  echo "$deb $MIRROR $SUITE main"
  # trixie's -updates and -security are left out: the release's main is all the test needs, and
  # the mirror that CI reaches serves their indexes out of step with their Release files
  # (apt-get update: "File has unexpected size ... Mirror sync in progress?").
  if [[ $SUITE == bookworm ]]; then
    echo "$deb $MIRROR $SUITE-updates main"
    echo "$deb $SECMIRROR $SUITE-security main"
  fi
}

key="$(apt_sources)"
if ! stamp_ok apt-lists "$key"; then
  say "apt ($ARCH, private state): update from $MIRROR"
  rm -rf "$APTD"
  mkdir -p "$APTD/lists/partial" "$APTD/cache/archives/partial" "$APTD/sources.list.d" "$APTD/preferences.d"
  : > "$APTD/status"; : > "$APTD/preferences"
  apt_sources > "$APTD/sources.list"
  apt-get "${APT_OPTS[@]}" -qq update >"$CACHE/apt-update.log" 2>&1 \
    || die "apt-get update ($ARCH, $MIRROR $SUITE) failed; see $CACHE/apt-update.log"
  stamp_set apt-lists "$key"
  rm -f "$STAMPS/debs"
fi

key="${APT_PACKAGES[*]}"
if ! stamp_ok debs "$key"; then
  say "fetching Debian $SUITE $ARCH packages: ${APT_PACKAGES[*]}, with their dependencies"
  rm -rf "$CACHE/debs"; mkdir -p "$CACHE/debs/partial"
  # The status file is empty, so apt fetches the whole closure (Recommends left out, as dpkg -x
  # runs no maintainer scripts anyway).
  apt-get "${APT_OPTS[@]}" -qq -y --no-install-recommends --download-only "-oDir::Cache::Archives=$CACHE/debs" \
    install "${APT_PACKAGES[@]}" >"$CACHE/apt-download.log" 2>&1 \
    || die "cannot fetch the Debian $SUITE $ARCH packages ($MIRROR); see $CACHE/apt-download.log"
  stamp_set debs "$key"
  rm -f "$STAMPS/root"
fi

# The emulated interpreter. qemu's -0 sets argv[0], from which Python derives sys.executable:
# subprocesses started with sys.executable come back here. On armhf, Python 3.13 cannot find its
# prefix from that argv[0], hence PYTHONHOME; PYTHONUSERBASE is the user's ~/.local, kept in the cache.
mkdir -p "$CACHE/bin"
{
  echo "#!/bin/sh"
  echo "# python$PYV from Debian $SUITE $ARCH, run by qemu user-mode emulation (made by scripts/test-arm.sh)"
  if [[ $ARCH == armhf ]]; then
    echo "export PYTHONHOME=\"$ROOT/usr\" PYTHONUSERBASE=\"$CACHE/user\""
  fi
  echo "exec $QEMU -cpu $QEMU_CPU -L \"$ROOT\" -0 \"\$0\" \"$ROOT/usr/bin/python$PYV\" \"\$@\""
} > "$WRAP"
chmod +x "$WRAP"

key="root-v3 $(cd "$CACHE/debs" && ls ./*.deb | sha256sum | cut -c1-16) $(sha256sum < "$HERE/cpuinfo.$ARCH" | cut -c1-16)"
if ! stamp_ok root "$key"; then
  say "unpacking the $ARCH root ($(ls "$CACHE"/debs/*.deb | wc -l) packages)"
  rm -rf "$ROOT"; mkdir -p "$ROOT"
  for f in "$CACHE"/debs/*.deb; do dpkg -x "$f" "$ROOT" || die "cannot unpack $(basename "$f")"; done
  # trixie is merged-/usr: its packages install only under usr/, but the loader is asked for as
  # /lib/ld-linux-armhf.so.3. (bookworm's packages still ship /lib themselves.)
  for dir in bin sbin lib; do
    [[ -e "$ROOT/$dir" || ! -d "$ROOT/usr/$dir" ]] || ln -s "usr/$dir" "$ROOT/$dir"
  done
  # libblas.so.3 and liblapack.so.3 are update-alternatives links, made by maintainer scripts
  # that dpkg -x does not run; without them numpy fails to import.
  for lib in "$ROOT"/usr/lib/*/blas/libblas.so.3 "$ROOT"/usr/lib/*/lapack/liblapack.so.3; do
    [[ -e "$lib" ]] || continue
    ln -sfn "$(basename "$(dirname "$lib")")/$(basename "$lib")" "$(dirname "$(dirname "$lib")")/$(basename "$lib")"
  done
  # The trap: onnxruntime's CPU detection reads /proc/cpuinfo; qemu -L serves this one.
  mkdir -p "$ROOT/proc"; cp "$HERE/cpuinfo.$ARCH" "$ROOT/proc/cpuinfo"
  # qemu -L falls back to host paths that the root lacks. Debian's python adds these two
  # dist-packages to sys.path; give the root its own so the host's x86 ones stay hidden.
  mkdir -p "$ROOT/usr/lib/python3/dist-packages" "$ROOT/usr/local/lib/python$PYV/dist-packages"
  # Debian makes .pyc files in postinst, which dpkg -x skips; without them every emulated start
  # compiles its imports again (seconds). A host python of the same version compiles the stdlib
  # fast; otherwise the emulated one compiles what the runtime and the tests import, by importing
  # it once (compiling everything emulated, sympy included, takes minutes).
  if [[ "$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" == "$PYV" ]]; then
    env -u PYTHONDONTWRITEBYTECODE python3 -m compileall -q -j0 "$ROOT/usr/lib/python$PYV" >/dev/null 2>&1 || true
  else
    env -u PYTHONDONTWRITEBYTECODE "$WRAP" -c "import ${WARM_IMPORTS// /, }" >/dev/null 2>&1 || true
  fi
  stamp_set root "$key"
fi

if [[ "${ARM_ROOT_ONLY:-0}" == 1 ]]; then
  say "root ready in $((SECONDS - T0)) s: $ROOT"
  exit 0
fi

# ---------------------------------------------------------------------------
# 3. arm64: the runtime's dependencies as aarch64 wheels from PyPI, installed with pip --target.
#    (armhf has them from Debian, in the root.)
if [[ $ARCH == arm64 ]]; then
  SITE="$CACHE/site"
  # Raspberry Pi OS bookworm has glibc 2.36: any manylinux_2_17 .. 2_36 aarch64 wheel runs there.
  PLATFORMS=()
  for v in $(seq 36 -1 17); do PLATFORMS+=(--platform "manylinux_2_${v}_aarch64"); done
  PLATFORMS+=(--platform manylinux2014_aarch64)
  PIP_TARGET_FLAGS=(--only-binary=:all: --python-version "$PYV" --implementation cp --abi "cp${PYV/./}" "${PLATFORMS[@]}")
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
          || die "cannot fetch an aarch64 cp${PYV/./} wheel for '$r' (or one of its dependencies) from PyPI; see $CACHE/pip-download.log"
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
rm -rf "$SRC" "$DIST"; mkdir -p "$SRC" "$DIST"
tar -C "$REPO" --exclude=./.git --exclude=./.venv --exclude=./.cache --exclude=./build \
    --exclude=./dist --exclude='*.egg-info' --exclude=__pycache__ --exclude=./runs -cf - . | tar -C "$SRC" -xf -
"$BUILDENV/bin/python" -m pip wheel -q --disable-pip-version-check --no-deps --no-build-isolation \
  -w "$DIST" "$SRC" >"$CACHE/wheel-build.log" 2>&1 || die "building the edgevae wheel failed; see $CACHE/wheel-build.log"
rm -rf "$SRC"
if [[ $ARCH == arm64 ]]; then
  EVSITE="$CACHE/edgevae"
  rm -rf "$EVSITE"
  "$HOST_PY" -m pip install -q --disable-pip-version-check --no-deps --no-index --target "$EVSITE" \
    "$DIST"/edgevae-*.whl >"$CACHE/wheel-install.log" 2>&1 || die "installing the edgevae wheel failed; see $CACHE/wheel-install.log"
  rm -rf "$EVSITE/bin"
  # The site folders go on sys.path through a .pth file, so the env needs no PYTHONPATH and
  # survives tests that pass their own env to subprocesses.
  printf '%s\n%s\n' "$SITE" "$EVSITE" > "$ROOT/usr/local/lib/python$PYV/dist-packages/edgevae-arm.pth"
  cat > "$CACHE/bin/edgevae" <<EOF
#!/bin/sh
exec "$WRAP" -c 'import sys; from edgevae.runtime.cli import main; sys.argv[0] = "edgevae"; sys.exit(main())' "\$@"
EOF
  chmod +x "$CACHE/bin/edgevae"
  export PYTHONNOUSERSITE=1
  DEPS_DIR="$SITE"
else
  # The user's install on 32-bit Raspberry Pi OS, word for word: Debian's packages satisfy the
  # requirements (pyproject.toml's markers let Debian's onnxruntime 1.21 through on armv7l).
  rm -rf "$CACHE/user"
  env -u PYTHONDONTWRITEBYTECODE -u PYTHONNOUSERSITE "$WRAP" -m pip install --user --break-system-packages \
    --no-index --disable-pip-version-check --no-warn-script-location "$DIST"/edgevae-*.whl \
    >"$CACHE/wheel-install.log" 2>&1 \
    || die "pip install --user --break-system-packages --no-index edgevae-*.whl failed; see $CACHE/wheel-install.log"
  EVSITE="$CACHE/user/lib/python$PYV/site-packages"
  ln -sfn ../user/bin/edgevae "$CACHE/bin/edgevae"  # pip's own script, next to sys.executable
  unset PYTHONNOUSERSITE || true
  DEPS_DIR="$ROOT/usr/lib/python3/dist-packages"
fi

cd "$REPO"
say "env ready after $((SECONDS - T0)) s; smoke test (emulated $ARCH)"
"$WRAP" "$HERE/smoke.py" --machine "$MACHINE" --expect-packages "$DEPS_DIR" --expect-edgevae "$EVSITE" \
  || die "the emulated interpreter does not work (see above)"

# ---------------------------------------------------------------------------
# 5. The runtime's test suite, emulated. Tests import the installed edgevae: the checkout's
#    top-level edgevae/ holds only __main__.py, a portion of the same namespace, so it shadows nothing.
status=0
say "pytest tests/runtime (emulated $ARCH)"
t=$SECONDS
workers=()
[[ -n "${ARM_PYTEST_WORKERS:-}" ]] && workers=(-n "$ARM_PYTEST_WORKERS")
# Tests marked host_only (signals, a 120,000-image stream, a terminal) take minutes under qemu and test
# nothing that differs on ARM; the hostile-input tables run here, since 32-bit numpy does differ (a
# lying .npy header overflows a C long on armhf instead of raising ValueError).
"$WRAP" -m pytest tests/runtime -q -p no:cacheprovider -m "not host_only" \
  "${workers[@]}" "$@" || status=$?
say "pytest took $((SECONDS - t)) s (exit $status)"

# ---------------------------------------------------------------------------
# 6. Parity: the bundled models on ARM vs x86, max abs difference <= 1e-5.
if [[ "${ARM_SKIP_PARITY:-0}" != 1 ]]; then
  say "parity: reference on x86 ($HOST_PY), check on emulated $ARCH"
  "$HOST_PY" -c 'import onnxruntime, numpy' 2>/dev/null \
    || die "parity needs a host python with onnxruntime and numpy (set HOST_PYTHON; got $HOST_PY)"
  PYTHONPATH="$EVSITE" "$HOST_PY" "$HERE/parity.py" --save "$CACHE/parity-ref.npz" || die "parity reference (x86) failed"
  "$WRAP" "$HERE/parity.py" --check "$CACHE/parity-ref.npz" || { status=1; say "parity FAILED"; }
fi

# ---------------------------------------------------------------------------
# 7. Figures measured under emulation (for the README's Raspberry Pi section).
if [[ "${ARM_SKIP_FIGURES:-0}" != 1 ]]; then
  "$WRAP" "$HERE/emulated_figures.py" --edgevae "$CACHE/bin/edgevae" --qemu "$QEMU" --qemu-cpu "$QEMU_CPU" \
    || { status=1; say "figures FAILED"; }
fi

say "done in $((SECONDS - T0)) s, exit $status"
exit "$status"
