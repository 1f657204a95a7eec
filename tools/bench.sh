#!/usr/bin/env bash
# make bench: fmnist's Go benchmarks and end-to-end timings beside the PyTorch
# and scikit-learn references (../shared/bench or $REF), measured in the same
# run on the same machine, with the ratios. Output also goes to bench-out/.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
REF=${REF:-../shared/bench}
OUT=bench-out
MODELS=${MODELS:-A default B}
mkdir -p "$OUT"
py=/usr/bin/python3
if ! $py -c 'import torch, sklearn' 2>/dev/null; then
	echo "installing the references: python3-torch python3-sklearn" >&2
	${SUDO:-$([ "$(id -u)" = 0 ] || echo sudo)} apt-get install -y -qq python3-torch python3-sklearn >/dev/null
fi
echo "== machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2) ($(nproc) cores), $("$GO" version)"

echo "== Go micro-benchmarks"
"$GO" test -run XXX -bench 'ReadCSVImages' -benchtime 5x ./dataset | tee "$OUT/dataset.txt"
"$GO" test -run XXX -bench 'TrainStep|Forward' -benchmem ./tfrunner/native | tee "$OUT/native.txt"

json() { $py -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$3"; }

echo "== one epoch per model: fmnist native (all cores) vs PyTorch (1 thread, its fastest here)"
printf '%-8s %12s %12s %8s\n' model fmnist_s torch_s ratio
for m in $MODELS; do
	"$GO" run ./cmd/train -models "$m" -epochs 1 -quiet -out "$OUT/runs"
	ours=$(json 0 'd["train_seconds"]' "$OUT/runs/$m/run.json")
	theirs=$(THREADS=1 $py "$REF/torch_seed.py" "$m" 1 | tee "$OUT/torch_$m.txt" | awk '/^epoch 1/ {sub("s","",$4); print $4}')
	printf '%-8s %12.2f %12.2f %7.1fx\n' "$m" "$ours" "$theirs" "$(echo "$theirs / $ours" | bc -l)"
done | tee "$OUT/epochs.txt"

echo "== CM4 on model A's encoding: fmnist vs scikit-learn"
"$GO" run ./cmd/train -models A -quiet -out "$OUT/runsA"
"$GO" run ./cmd/report -runs "$OUT/runsA" -out "$OUT/report" | tee "$OUT/cm4_go.txt"
$py "$REF/sklearn_cm4.py" "$OUT/runsA/A/encoding_test.csv" | tee "$OUT/cm4_sklearn.txt"
json 0 '"fmnist: kmeans inertia %.1f, dbscan %d clusters %d noise, tsne KL %.4f, subclasses ARI10 %.4f" % (d["kmeans"]["inertia"], d["dbscan"]["clusters"], d["dbscan"]["noise"], d["tsne"]["kl"], d["subclasses_ari10"])' "$OUT/report/analysis.json"
