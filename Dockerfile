# syntax=docker/dockerfile:1
#
# fmnist on a GPU: Go, libtensorflow 2.15.1 (GPU build) with CUDA 12.2 and
# cuDNN 8.9, all from TensorFlow's PyPI wheels through `make libtensorflow
# TF_VARIANT=gpu` (the same script and pins as everywhere else), and the
# Fashion-MNIST files from Debian. Build and run (see README.md, "The
# container"):
#
#   make docker                       # docker build -t fmnist-gpu .
#   docker run --gpus all -v "$PWD/out:/out" fmnist-gpu
#
# The container runs `make ENGINE=tensorflow RUNS=/out/runs REPORT=/out/report`:
# data preparation, the three trainings and the report, written to the mounted
# /out. Any other command can be given instead, e.g.
#   docker run --gpus all fmnist-gpu make test
#
# The CUDA libraries come as wheels, so the base image needs none; the host
# needs the NVIDIA driver (525 or newer for CUDA 12.2) and the NVIDIA
# Container Toolkit, which mounts the driver's libcuda into the container.
# Go's download is checked against a SHA-256 when one is given:
#   docker build --build-arg GO_SHA256=... -t fmnist-gpu .

FROM debian:bookworm

ARG GO_VERSION=1.26.8
ARG GO_SHA256=
ARG TF_VARIANT=gpu

# cgo needs a C compiler and the libc headers, the Makefile make, make
# libtensorflow Python's pip; the dataset and the browser of the report test
# are Debian's.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates curl gcc libc6-dev make python3 python3-pip python3-venv \
      dataset-fashion-mnist chromium \
 && rm -rf /var/lib/apt/lists/*

# Go, from the official tarball.
RUN curl -fsSL "https://go.dev/dl/go${GO_VERSION}.linux-amd64.tar.gz" -o /tmp/go.tgz \
 && if [ -n "${GO_SHA256}" ]; then echo "${GO_SHA256}  /tmp/go.tgz" | sha256sum -c -; fi \
 && tar -C /usr/local -xzf /tmp/go.tgz \
 && rm /tmp/go.tgz

# libtensorflow outside the source tree, so that a bind-mounted tree does
# not hide it; TF_DIR tells the Makefile where it is.
COPY tools/libtensorflow /opt/fmnist-tools/libtensorflow
RUN TF_VARIANT=${TF_VARIANT} bash /opt/fmnist-tools/libtensorflow/install.sh /opt/libtensorflow

# GOTOOLCHAIN=local: never fetch another toolchain. The caches live outside
# /root so that the container also runs with --user.
ENV PATH=/usr/local/go/bin:$PATH \
    CGO_ENABLED=1 \
    GOTOOLCHAIN=local \
    GOFLAGS=-buildvcs=false \
    GOPATH=/opt/go \
    GOMODCACHE=/opt/go/pkg/mod \
    GOCACHE=/opt/go/cache \
    TF_DIR=/opt/libtensorflow \
    TF_VARIANT=${TF_VARIANT} \
    TF_CPP_MIN_LOG_LEVEL=1

WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Compile and link everything once with the engine, vet it with cgo, compile
# its tests, and make the tree and caches writable for any --user. Nothing
# runs here: the build machine needs no GPU.
RUN eval "$(make -s tf-env)" \
 && go build -tags tensorflow ./... \
 && go vet -tags tensorflow ./tfrunner/... ./cmd/train \
 && go test -tags tensorflow -c -o /tmp/tf.test ./tfrunner/tensorflow && rm /tmp/tf.test \
 && chmod -R a+rwX /src /opt/go

VOLUME /out
CMD ["make", "ENGINE=tensorflow", "RUNS=/out/runs", "REPORT=/out/report"]
