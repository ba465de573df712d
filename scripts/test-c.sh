#!/usr/bin/env bash
# `make test-c`: examples/c built with examples/c/Makefile and checked against the Python runtime
# (scripts/c/check.py: the images within 1e-5, the grid, the errors), twice:
#
#   armhf   in the emulated Debian trixie armhf root of scripts/test-arm.sh (built there, reused from
#           .cache/armhf): trixie's gcc 14, binutils, pkgconf and libonnxruntime-dev 1.21, every one of
#           them run by qemu, as `make` runs them on 32-bit Raspberry Pi OS;
#   x86_64  natively, with AddressSanitizer and LeakSanitizer (every exit path frees everything), against
#           Debian's headers and the host venv's onnxruntime library (pip's wheel ships no headers).
#
# qemu user-mode emulation runs one program; without binfmt_misc an emulated program cannot start
# another ARM program itself. gcc starts cc1, as and collect2, and collect2 starts ld, so each goes
# through the host-side launcher below: gcc's -wrapper for the first three, and for ld a host script
# that collect2 finds first through -B.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HOST_PY="${HOST_PYTHON:-$REPO/.venv/bin/python}"
T0=$SECONDS
say() { printf 'test-c: %s\n' "$*" >&2; }
die() { printf 'test-c: FAILED: %s\n' "$*" >&2; exit 1; }
[[ -x "$HOST_PY" ]] || die "no host python at $HOST_PY (make .venv/.installed, or set HOST_PYTHON)"
status=0

# ---------------------------------------------------------------------------
# armhf: the root (with gcc, make, pkgconf and libonnxruntime-dev), then launchers into it.
CACHE="${ARM_CACHE:-$REPO/.cache/armhf}"
ARM_CACHE="$CACHE" ARM_ROOT_ONLY=1 bash "$REPO/scripts/test-arm.sh" armhf
CACHE="$(cd "$CACHE" && pwd)"
ROOT="$CACHE/root"
TOOLS="$CACHE/c/bin"
mkdir -p "$TOOLS"
cat > "$TOOLS/arm-run" <<EOF
#!/bin/sh
# An armhf program of the root under qemu; absolute paths inside the root, bare names from its /usr/bin.
program="\$1"; shift
case "\$program" in
  /*) [ -e "$ROOT\$program" ] && program="$ROOT\$program" ;;
  */*) ;;
  *) program="$ROOT/usr/bin/\$program" ;;
esac
exec qemu-arm-static -cpu cortex-a7 -L "$ROOT" "\$program" "\$@"
EOF
printf '#!/bin/sh\nexec "%s" ld.bfd "$@"\n' "$TOOLS/arm-run" > "$TOOLS/ld"
printf '#!/bin/sh\nexec "%s" gcc --sysroot="%s" -wrapper "%s" -B"%s/" "$@"\n' \
  "$TOOLS/arm-run" "$ROOT" "$TOOLS/arm-run" "$TOOLS" > "$TOOLS/cc"
printf '#!/bin/sh\nPKG_CONFIG_LIBDIR="%s" PKG_CONFIG_SYSROOT_DIR="%s" exec "%s" pkgconf "$@"\n' \
  "$ROOT/usr/lib/arm-linux-gnueabihf/pkgconfig:$ROOT/usr/share/pkgconfig" "$ROOT" "$TOOLS/arm-run" \
  > "$TOOLS/pkg-config"
chmod +x "$TOOLS"/*

PROGRAM="$CACHE/c/edgevae-generate"
rm -f "$PROGRAM"
t=$SECONDS
say "building examples/c with Debian trixie's gcc and libonnxruntime-dev (emulated armhf)"
make -s -C "$REPO/examples/c" PROGRAM="$PROGRAM" CC="$TOOLS/cc" PKG_CONFIG="$TOOLS/pkg-config" \
  CFLAGS="-O2 -Wall -Wextra -Werror" || die "the armhf build failed"
say "built in $((SECONDS - t)) s"
t=$SECONDS
"$HOST_PY" "$REPO/scripts/c/check.py" "$TOOLS/arm-run" "$PROGRAM" || { status=1; say "armhf check FAILED"; }
say "armhf check took $((SECONDS - t)) s"

# ---------------------------------------------------------------------------
# x86_64, native, sanitized: Debian's headers (the root's, architecture-independent) and the host
# onnxruntime's library.
if ! command -v gcc >/dev/null; then
  say "installing gcc (host)"
  { apt-get install -y -qq --no-install-recommends gcc libc6-dev >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends gcc libc6-dev >/dev/null 2>&1; }; } \
    || die "cannot install gcc on the host"
fi
LIBDIR="$CACHE/c/x86_64"
rm -rf "$LIBDIR"; mkdir -p "$LIBDIR"
ORT_LIB="$("$HOST_PY" -c 'import glob, os, onnxruntime; print(sorted(glob.glob(os.path.join(os.path.dirname(onnxruntime.__file__), "capi", "libonnxruntime.so.*")))[0])')" \
  || die "no libonnxruntime.so in the host python's onnxruntime"
ln -s "$ORT_LIB" "$LIBDIR/libonnxruntime.so"
ln -s "$ORT_LIB" "$LIBDIR/libonnxruntime.so.1"
say "building examples/c natively with AddressSanitizer ($(basename "$ORT_LIB"))"
make -s -C "$REPO/examples/c" PROGRAM="$LIBDIR/edgevae-generate" CC=gcc \
  CFLAGS="-O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined -fno-sanitize-recover=all" \
  ORT_CFLAGS="-I$ROOT/usr/include/onnxruntime" ORT_LIBS="-L$LIBDIR -lonnxruntime -Wl,-rpath,$LIBDIR" \
  || die "the native build failed"
ASAN_OPTIONS=detect_leaks=1 "$HOST_PY" "$REPO/scripts/c/check.py" "$LIBDIR/edgevae-generate" \
  || { status=1; say "x86_64 check FAILED"; }

say "done in $((SECONDS - T0)) s, exit $status"
exit "$status"
