#!/usr/bin/env bash
# make libtensorflow: installs TensorFlow's C library (libtensorflow 2.15.1)
# from TensorFlow's own PyPI wheel into a git-ignored directory, for cgo and
# graft (build tag "tensorflow").
#
# Usage: tools/libtensorflow/install.sh [DIR]
#   DIR         where it goes (default .tools/libtensorflow); it gets
#               include/ (the C API headers), lib/ (libtensorflow_cc.so.2,
#               libtensorflow_framework.so.2 and the libtensorflow.so link
#               that graft's -ltensorflow needs) and STAMP.
#   TF_VARIANT  cpu (default): the wheel tensorflow-cpu==2.15.1, about 207 MB.
#               gpu: tensorflow==2.15.1 (built with CUDA, also runs on a CPU)
#               plus the CUDA 12.2 and cuDNN 8.9 libraries of its [and-cuda]
#               extra, about 3.5 GB, unpacked into DIR/nvidia where the
#               library's own RUNPATH ($ORIGIN/../nvidia/...) finds them.
#   PYTHON      the interpreter whose pip downloads (default python3).
#
# Every wheel is pinned by version and sha256 in tools/libtensorflow/<variant>.txt
# (pip --require-hashes). The script is idempotent: a DIR whose STAMP names
# the same pins is left alone. It builds the new directory beside DIR and
# renames it into place, so an interrupted run leaves no half-installed
# library behind.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-.tools/libtensorflow}
variant=${TF_VARIANT:-cpu}
python=${PYTHON:-python3}

die() { echo "libtensorflow: $*" >&2; exit 1; }

pins="$here/$variant.txt"
[ -f "$pins" ] || die "TF_VARIANT=$variant is unknown: use cpu or gpu (no $pins)"
stamp="$(sha256sum "$pins" | cut -d' ' -f1) $variant"

if [ -f "$dir/STAMP" ] && [ "$(cat "$dir/STAMP")" = "$stamp" ] && [ -e "$dir/lib/libtensorflow.so" ]; then
	echo "libtensorflow: $dir is up to date ($variant, $(cat "$dir/VERSION" 2>/dev/null || echo '?'))"
	exit 0
fi

command -v "$python" >/dev/null 2>&1 || die "$python not found: install Python 3 (apt-get install python3 python3-pip)"
"$python" -m pip --version >/dev/null 2>&1 || die "$python has no pip: apt-get install python3-pip (or set PYTHON to an interpreter with pip)"
command -v gcc >/dev/null 2>&1 || die "gcc not found (cgo needs it): apt-get install gcc libc6-dev"

parent=$(dirname "$dir")
mkdir -p "$parent"
work=$(mktemp -d "$parent/.libtensorflow.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "libtensorflow: downloading the pinned wheels of $pins (TF_VARIANT=$variant)"
# The platform options pick the manylinux x86-64 wheels for CPython 3.11
# whatever this machine's Python is; the C library inside is the same for
# every Python version.
if ! "$python" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
	--platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux1_x86_64 \
	--python-version 3.11 --implementation cp --abi cp311 \
	--require-hashes -r "$pins" -d "$work/wheels"; then
	die "pip could not download the wheels of $pins: is PyPI reachable (pip config, proxy)? The hashes are checked too: a 'THESE PACKAGES DO NOT MATCH THE HASHES' line above means the download differs from the pinned file."
fi

echo "libtensorflow: unpacking the C library and its headers"
"$python" - "$work/wheels" "$work/out" <<'PY'
import os, sys, zipfile, glob, shutil

wheels, out = sys.argv[1], sys.argv[2]
inc, lib = os.path.join(out, "include"), os.path.join(out, "lib")
os.makedirs(inc)
os.makedirs(lib)

def extract(z, name, dest):
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with z.open(name) as src, open(dest, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)

# The C API headers and the few they include (tf_tstring.h needs ctstring).
headers = ("tensorflow/include/tensorflow/c/", "tensorflow/include/tsl/c/")
ctstring = ("tensorflow/include/tensorflow/core/platform/ctstring",
            "tensorflow/include/tsl/platform/ctstring")
libs = ("tensorflow/libtensorflow_cc.so.2", "tensorflow/libtensorflow_framework.so.2")
found = set()
for whl in sorted(glob.glob(os.path.join(wheels, "*.whl"))):
    with zipfile.ZipFile(whl) as z:
        for info in z.infolist():
            n = info.filename
            if n.endswith("/"):
                continue
            if n in libs:
                extract(z, n, os.path.join(lib, os.path.basename(n)))
                os.chmod(os.path.join(lib, os.path.basename(n)), 0o755)
                found.add(n)
            elif n.endswith(".h") and (n.startswith(headers) or n.startswith(ctstring)):
                extract(z, n, os.path.join(inc, n[len("tensorflow/include/"):]))
                found.add("headers")
            elif n.startswith("nvidia/") and "/lib/" in n:
                # CUDA and cuDNN libraries of the gpu variant.
                extract(z, n, os.path.join(out, n))
                os.chmod(os.path.join(out, n), 0o755)
missing = [n for n in libs + ("headers",) if n not in found]
if missing:
    sys.exit("libtensorflow: the wheels hold no " + ", ".join(missing))
PY
ln -s libtensorflow_cc.so.2 "$work/out/lib/libtensorflow.so"
ln -s libtensorflow_framework.so.2 "$work/out/lib/libtensorflow_framework.so"

# Check that the library exports the C API and that a C program links and
# runs against it the way cgo will (-L, -rpath).
cat >"$work/check.c" <<'C'
#include <stdio.h>
#include "tensorflow/c/c_api.h"
#include "tensorflow/c/eager/c_api.h"
int main(void) {
	TF_Graph *g = TF_NewGraph();
	TF_DeleteGraph(g);
	printf("%s\n", TF_Version());
	return 0;
}
C
gcc -I"$work/out/include" "$work/check.c" -o "$work/check" -L"$work/out/lib" -Wl,-rpath,"$work/out/lib" -ltensorflow ||
	die "a C program does not compile or link against the unpacked library (see above)"
version=$(TF_CPP_MIN_LOG_LEVEL=3 "$work/check") || die "a C program linked against the unpacked library does not run (see above)"
case "$version" in
2.15.*) ;;
*) die "the unpacked library says TF_Version() = $version, want 2.15.x" ;;
esac
echo "$version" >"$work/out/VERSION"
echo "$stamp" >"$work/out/STAMP"

# Replace DIR in two renames (the old one, if any, is removed afterwards).
if [ -e "$dir" ]; then
	mv "$dir" "$work/old"
fi
mv "$work/out" "$dir"
echo "libtensorflow: installed TensorFlow $version ($variant) in $dir"
