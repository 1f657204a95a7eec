#!/usr/bin/env bash
# make pytools: the Python tools that the TensorBoard and ONNX tests drive
# (tensorboard, onnx, onnxruntime, numpy), installed from PyPI at pinned
# versions into a git-ignored virtual environment, <repo>/.tools/py.
# Idempotent: it does nothing when the venv already holds exactly these pins.
# Go tests find the interpreter through FMNIST_PYTHON (default
# <repo>/.tools/py/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${PYTOOLS_VENV:-.tools/py}
REQ=tools/pytools-requirements.txt
PY=${PYTHON:-python3}
stamp="$VENV/.pytools-requirements"

if [ -x "$VENV/bin/python" ] && [ -f "$stamp" ] && cmp -s "$REQ" "$stamp"; then
	echo "pytools: $VENV is up to date ($REQ)"
	exit 0
fi
if ! command -v "$PY" >/dev/null 2>&1; then
	echo "pytools: $PY not found: install Python 3.11 or later (apt-get install python3 python3-venv)" >&2
	exit 1
fi
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
	echo "pytools: $PY is $("$PY" -V 2>&1); the pinned wheels need Python 3.11 or later" >&2
	exit 1
fi
start=$(date +%s)
rm -rf "$VENV"
if ! "$PY" -m venv "$VENV"; then
	echo "pytools: '$PY -m venv $VENV' failed: install the venv module (apt-get install python3-venv)" >&2
	exit 1
fi
if ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
	echo "pytools: the venv $VENV has no pip (apt-get install python3-venv python3-pip)" >&2
	exit 1
fi
if ! "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -q --timeout 60 -r "$REQ"; then
	rm -rf "$VENV"
	echo "pytools: pip could not install $REQ from PyPI (is PyPI reachable? pip's error is above)" >&2
	exit 1
fi
"$VENV/bin/python" -c 'import tensorboard, onnx, onnxruntime, numpy; print("pytools: tensorboard", tensorboard.__version__, "onnx", onnx.__version__, "onnxruntime", onnxruntime.__version__, "numpy", numpy.__version__)'
cp "$REQ" "$stamp"
echo "pytools: installed $VENV in $(( $(date +%s) - start ))s"
