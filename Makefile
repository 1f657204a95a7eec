# fmnist: `make` prepares the data, trains the three models and renders the
# report; `make test` runs the checks. See README.md.

GO      ?= go
DATA    ?= data
RUNS    ?= runs
REPORT  ?= report
MODELS  ?= default,A,B
SEED    ?= 5
FLAGS   ?=
DEBIAN_IDX := /usr/share/datasets/fashion-mnist
IDX_DIR ?= $(DEBIAN_IDX)
IMAGE   ?= fmnist-gpu

# The TensorFlow engine is used when libtensorflow is installed.
ENGINE ?= $(shell ldconfig -p 2>/dev/null | grep -q libtensorflow.so && echo tensorflow || echo native)
ifeq ($(ENGINE),tensorflow)
TAGS := -tags tensorflow
endif
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all data train report test vet tfcheck bench subclasses-eval docker clean

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

$(DATA)/x_train.csv: $(IDX_TRAIN)
	$(GO) run ./cmd/prepare -from $(IDX) -out $(DATA)

data: $(DATA)/x_train.csv

train: data
	$(GO) run $(TAGS) ./cmd/train -data $(DATA) -out $(RUNS) -engine $(ENGINE) -models $(MODELS) -seed $(SEED) $(FLAGS)

report:
	$(GO) run ./cmd/report -runs $(RUNS) -out $(REPORT) -data $(DATA)

vet:
	$(GO) vet ./...

tfcheck:
	$(GO) run ./tools/tfcheck

test: vet tfcheck
	$(GO) test ./...
	$(GO) test -race -short ./dataset ./graphs ./tfrunner ./internal/... ./cluster

bench:
	bash tools/bench.sh

# Trains model A with seeds 5..10 and prints the sub-class table (BENCHMARKS.md).
subclasses-eval: data
	GO=$(GO) DATA=$(DATA) bash tools/subclasses_eval.sh /tmp/subclasses-eval 5,6,7,8,9,10

docker:
	docker build -t $(IMAGE) .

clean:
	rm -rf $(RUNS) $(REPORT)/*.png $(REPORT)/*.html $(REPORT)/REPORT.md $(REPORT)/*.json $(REPORT)/*.csv
