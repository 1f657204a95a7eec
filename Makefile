# fmnist: `make` prepares the data, trains the three models and renders the
# report; `make test` runs the checks. See README.md.

GO      ?= go
DATA    ?= data
RUNS    ?= runs
REPORT  ?= out/report
MODELS  ?= default,A,B
SEED    ?= 5
FLAGS   ?=
DEBIAN_IDX := /usr/share/datasets/fashion-mnist
IDX_DIR ?= $(DEBIAN_IDX)
IMAGE   ?= fmnist-gpu

# TensorFlow's C library (the engine behind -tags tensorflow): TF_DIR, which
# `make libtensorflow` fills from TensorFlow's PyPI wheel (TF_VARIANT=cpu, or
# gpu for the CUDA build), else an install the dynamic loader already knows
# (the official tarball in /usr/local, say). ENGINE defaults to tensorflow
# when either is there.
TF_DIR     ?= $(CURDIR)/.tools/libtensorflow
TF_VARIANT ?= cpu
TF_HERE    := $(wildcard $(TF_DIR)/lib/libtensorflow.so)
TF_SYSTEM  := $(if $(TF_HERE),,$(shell PATH="$$PATH:/sbin:/usr/sbin" ldconfig -p 2>/dev/null | grep -q 'libtensorflow\.so ' && echo yes))
ENGINE ?= $(if $(TF_HERE)$(TF_SYSTEM),tensorflow,native)
# How a tagged go command finds the library: with TF_DIR, its headers, the
# library and an rpath, so that the binaries run without LD_LIBRARY_PATH.
ifeq ($(TF_SYSTEM),yes)
TF_ENV := CGO_ENABLED=1
TF_NEED :=
else
TF_ENV := CGO_ENABLED=1 CGO_CFLAGS="-I$(TF_DIR)/include" CGO_LDFLAGS="-L$(TF_DIR)/lib -Wl,-rpath,$(TF_DIR)/lib"
TF_NEED := libtensorflow
endif
ifeq ($(ENGINE),tensorflow)
TAGS := -tags tensorflow
TRAIN_ENV := $(TF_ENV)
TRAIN_NEED := $(TF_NEED)
endif
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all data train report test vet generated libtensorflow tf-env pytools bench bench-engines subclasses-eval docker clean

all: data train report

# The targets run in the order given even under make -j: report reads what
# train writes.
.NOTPARALLEL:

# The IDX training images, plain or gzipped; Debian's package provides them
# for the default IDX_DIR.
IDX := $(patsubst %/,%,$(IDX_DIR))
IDX_TRAIN := $(firstword $(wildcard $(IDX)/train-images-idx3-ubyte $(IDX)/train-images-idx3-ubyte.gz) $(IDX)/train-images-idx3-ubyte.gz)

$(IDX)/train-images-idx3-ubyte.gz:
ifeq ($(IDX),$(DEBIAN_IDX))
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y dataset-fashion-mnist
else
	@echo "make: $(IDX) has no train-images-idx3-ubyte(.gz): put the four Fashion-MNIST IDX files there, or leave IDX_DIR unset to install Debian's dataset-fashion-mnist" >&2; exit 1
endif

# manifest.json is written last by prepare: a prepare cut short leaves none,
# so make runs it again.
$(DATA)/manifest.json: $(IDX_TRAIN)
	$(GO) run ./cmd/prepare -from $(IDX) -out $(DATA)

data: $(DATA)/manifest.json

train: data $(TRAIN_NEED)
	$(TRAIN_ENV) $(GO) run $(TAGS) ./cmd/train -data $(DATA) -out $(RUNS) -engine $(ENGINE) -models $(MODELS) -seed $(SEED) $(FLAGS)

report:
	$(GO) run ./cmd/report -runs $(RUNS) -out $(REPORT) -data $(DATA)

vet:
	$(GO) vet ./...

# The generated assembly (tfrunner/native/*_amd64.s) must be what its
# generator, asm_gen.go, writes: run it in a scratch folder and compare
# every file it writes with the committed one.
generated:
	@scratch=$$(mktemp -d) && trap 'rm -rf "$$scratch"' EXIT && \
	cp tfrunner/native/asm_gen.go "$$scratch"/ && (cd "$$scratch" && $(GO) run asm_gen.go) || exit 1; \
	ls "$$scratch"/*_amd64.s >/dev/null 2>&1 || { echo "make: asm_gen.go wrote no *_amd64.s file" >&2; exit 1; }; \
	for f in $$(cd "$$scratch" && ls | grep -v '^asm_gen\.go$$'); do \
		cmp -s "$$scratch/$$f" tfrunner/native/$$f || { echo "make: tfrunner/native/$$f is out of date with asm_gen.go: run go generate ./tfrunner/native" >&2; exit 1; }; \
	done

# Installs libtensorflow into TF_DIR (idempotent; see tools/libtensorflow).
libtensorflow:
	TF_VARIANT=$(TF_VARIANT) bash tools/libtensorflow/install.sh $(TF_DIR)

# Prints the cgo settings of TF_DIR, for go commands run by hand:
#   eval "$(make -s tf-env)"; go test -tags tensorflow ./tfrunner/tensorflow
tf-env:
	@echo 'export $(TF_ENV)'

# The tests: the default (pure-Go) build, the race detector on the core
# packages, then the tests of the packages with tagged code again with the
# TensorFlow engine compiled in and linked against libtensorflow (installed
# first when missing). The TensorBoard and ONNX tests drive the Python tools
# of make pytools. NVIDIA_TF32_OVERRIDE=0 keeps a GPU's float32 exact for the
# parity tests.
test: vet generated $(TF_NEED) pytools
	$(GO) test ./...
	$(GO) test -race -short ./dataset ./graphs ./tfrunner ./internal/... ./cluster
	$(TF_ENV) $(GO) vet -tags tensorflow ./tfrunner/tensorflow ./cmd/train
	$(TF_ENV) NVIDIA_TF32_OVERRIDE=0 TF_CPP_MIN_LOG_LEVEL=1 $(GO) test -tags tensorflow ./tfrunner/tensorflow ./cmd/train

# The Python tools (TensorBoard, onnx, onnxruntime) that the TensorBoard and
# ONNX tests drive, in the git-ignored venv .tools/py.
pytools:
	bash tools/pytools.sh

bench:
	GO=$(GO) bash tools/bench.sh

# Seconds per epoch: native, the TensorFlow engine, Keras on the same
# TensorFlow, PyTorch (tools/bench_engines.sh).
bench-engines:
	GO=$(GO) bash tools/bench_engines.sh

# Trains model A with each seed and prints the sub-class table (BENCHMARKS.md).
# Seeds 5..10 judge the method; 11..16 chose its KeepApart threshold.
SUBCLASSES_OUT   ?= /tmp/subclasses-eval
SUBCLASSES_SEEDS ?= 5,6,7,8,9,10
subclasses-eval: data
	GO=$(GO) DATA=$(DATA) bash tools/subclasses_eval.sh $(SUBCLASSES_OUT) $(SUBCLASSES_SEEDS)

docker:
	docker build -t $(IMAGE) .

# The report's folder holds nothing but the report (cmd/report refuses a
# folder with Go files), so it goes whole.
clean:
	rm -rf $(RUNS) $(REPORT)
