#!/usr/bin/env bash
# make bench-engines: seconds per training epoch of each model with the
# study's batch sizes, four ways in one run on this machine:
#   native      fmnist's pure-Go engine (all cores)
#   tensorflow  fmnist's TensorFlow engine: libtensorflow 2.15.1 through graft
#               (TensorFlow's own thread pools, all cores)
#   keras       the study's own Keras code on the same TensorFlow 2.15.1
#               (../shared/bench/keras_seed.py, all cores)
#   torch       PyTorch (../shared/bench/torch_seed.py, 1 thread: its fastest
#               on 2 cores for these networks)
# Epoch times exclude the validation pass for all four. The models run one
# after another per model (native, tensorflow, keras, torch), so that each row
# shares the machine's conditions; ratios are against keras.
#
# Variables: GO (default go), MODELS (default "A default B"), EPOCHS (1), REF (../shared/bench),
# KERAS_PY (a Python with tensorflow-cpu==2.15.1; default .tools/keras, made
# with pip on first use), TORCH_THREADS (1). Output also in bench-out/engines/.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
REF=${REF:-../shared/bench}
OUT=bench-out/engines
MODELS=${MODELS:-A default B}
EPOCHS=${EPOCHS:-1}
TORCH_THREADS=${TORCH_THREADS:-1}
KERAS_PY=${KERAS_PY:-.tools/keras/bin/python}
IDX=/usr/share/datasets/fashion-mnist
py=/usr/bin/python3
mkdir -p "$OUT"

make -s libtensorflow
if ! "$KERAS_PY" -c 'import tensorflow' 2>/dev/null; then
	echo "bench-engines: installing tensorflow-cpu==2.15.1 into .tools/keras (the Keras reference)" >&2
	python3 -m venv .tools/keras
	.tools/keras/bin/pip install -q --disable-pip-version-check tensorflow-cpu==2.15.1
	KERAS_PY=.tools/keras/bin/python
fi
if ! $py -c 'import torch' 2>/dev/null; then
	echo "bench-engines: installing python3-torch" >&2
	${SUDO:-$([ "$(id -u)" = 0 ] || echo sudo)} apt-get install -y -qq python3-torch >/dev/null
fi
eval "$(make -s tf-env)"
"$GO" build -o "$OUT/train-native" ./cmd/train
"$GO" build -tags tensorflow -o "$OUT/train-tf" ./cmd/train

json() { $py -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$2"; }
# per-epoch seconds of a run: train_seconds / epochs
ours() { json 'd["train_seconds"]/d["epochs"]' "$1"; }
theirs() { awk '/^epoch / {sub("s","",$4); s+=$4; n++} END {if (n) printf "%.3f", s/n}' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
acc() { json '"%.4f" % d["test_accuracy"]' "$1"; }
theiracc() { awk '/^TOTAL/ {for (i=1;i<=NF;i++) if ($i=="test_acc") print $(i+1)}' "$1"; }

echo "== machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2) ($(nproc) cores), $("$GO" version), $(date -u +%H:%M) UTC"
echo "== seconds per epoch ($EPOCHS epoch(s), study batch sizes); test accuracy after them; ratio = keras / engine"
printf '%-8s %10s %10s %10s %10s   %8s %8s %8s   %s\n' model native tensorflow keras torch nat/ker tf/ker tor/ker "test accuracy (native tf keras torch)"
for m in $MODELS; do
	rm -rf "$OUT/native/$m" "$OUT/tensorflow/$m"
	TF_CPP_MIN_LOG_LEVEL=2 "$OUT/train-native" -engine native -models "$m" -epochs "$EPOCHS" -quiet -data "$IDX" -out "$OUT/native" >/dev/null
	TF_CPP_MIN_LOG_LEVEL=2 "$OUT/train-tf" -engine tensorflow -models "$m" -epochs "$EPOCHS" -quiet -data "$IDX" -out "$OUT/tensorflow" >/dev/null
	"$KERAS_PY" "$REF/keras_seed.py" "$m" "$EPOCHS" >"$OUT/keras_$m.txt" 2>&1
	THREADS=$TORCH_THREADS $py "$REF/torch_seed.py" "$m" "$EPOCHS" >"$OUT/torch_$m.txt" 2>&1
	n=$(ours "$OUT/native/$m/run.json")
	t=$(ours "$OUT/tensorflow/$m/run.json")
	k=$(theirs "$OUT/keras_$m.txt")
	p=$(theirs "$OUT/torch_$m.txt")
	printf '%-8s %10.2f %10.2f %10.2f %10.2f   %8s %8s %8s   %s %s %s %s\n' "$m" "$n" "$t" "$k" "$p" \
		"$(ratio "$k" "$n")" "$(ratio "$k" "$t")" "$(ratio "$k" "$p")" \
		"$(acc "$OUT/native/$m/run.json")" "$(acc "$OUT/tensorflow/$m/run.json")" \
		"$(theiracc "$OUT/keras_$m.txt")" "$(theiracc "$OUT/torch_$m.txt")"
done | tee "$OUT/table.txt"
