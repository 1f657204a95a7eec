#!/usr/bin/env bash
# Trains model A with each seed (the study's settings) and prints the
# sub-class table of tools/subclasses-eval. Usage:
#   tools/subclasses_eval.sh [out-dir] [seeds]
# Defaults: /tmp/subclasses-eval and 5,6,7,8,9,10. GO and DATA may be set.
set -euo pipefail
out=${1:-/tmp/subclasses-eval}
seeds=${2:-5,6,7,8,9,10}
GO=${GO:-go}
DATA=${DATA:-data}
for s in ${seeds//,/ }; do
	"$GO" run ./cmd/train -models A -seed "$s" -quiet -data "$DATA" -out "$out/seed-$s"
done
"$GO" run ./tools/subclasses-eval -runs "$out" -seeds "$seeds"
