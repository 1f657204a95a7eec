# syntax=docker/dockerfile:1
#
# fmnist on a GPU: Go, libtensorflow 2.15 (GPU build), CUDA 12.2 + cuDNN 8.9
# (the versions TensorFlow 2.15 is built against) and the Fashion-MNIST
# files. Build and run (see README.md, "The TensorFlow engine"):
#
#   make docker                       # docker build -t fmnist-gpu .
#   docker run --gpus all -v "$PWD/out:/out" fmnist-gpu
#
# The container runs `make ENGINE=tensorflow RUNS=/out/runs REPORT=/out/report`:
# data preparation, the three trainings and the report, written to the mounted
# /out. Any other command can be given instead, e.g.
#   docker run --gpus all fmnist-gpu go test -tags tensorflow ./tfrunner/tensorflow
#
# Downloads are checked against a SHA-256 when one is given:
#   docker build --build-arg GO_SHA256=... --build-arg TF_SHA256=... -t fmnist-gpu .

ARG CUDA_IMAGE=nvidia/cuda:12.2.2-cudnn8-runtime-ubuntu22.04

# Stage 1: the Fashion-MNIST IDX files from Debian's dataset-fashion-mnist
# package (Ubuntu has no such package).
FROM debian:bookworm-slim AS data
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends dataset-fashion-mnist \
 && rm -rf /var/lib/apt/lists/* \
 && ls -l /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz

# Stage 2: CUDA runtime + cuDNN, Go, libtensorflow, the project.
FROM ${CUDA_IMAGE}

ARG GO_VERSION=1.26.8
ARG GO_SHA256=
ARG TF_VERSION=2.15.0
ARG TF_URL=https://storage.googleapis.com/tensorflow/libtensorflow/libtensorflow-gpu-linux-x86_64-${TF_VERSION}.tar.gz
ARG TF_SHA256=

# cgo needs a C compiler and the libc headers; the Makefile needs make.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates curl gcc libc6-dev make \
 && rm -rf /var/lib/apt/lists/*

# Go, from the official tarball.
RUN curl -fsSL "https://go.dev/dl/go${GO_VERSION}.linux-amd64.tar.gz" -o /tmp/go.tgz \
 && if [ -n "${GO_SHA256}" ]; then echo "${GO_SHA256}  /tmp/go.tgz" | sha256sum -c -; fi \
 && tar -C /usr/local -xzf /tmp/go.tgz \
 && rm /tmp/go.tgz

# libtensorflow (C API, GPU build): include/ and lib/ into /usr/local.
RUN curl -fsSL "${TF_URL}" -o /tmp/libtensorflow.tgz \
 && if [ -n "${TF_SHA256}" ]; then echo "${TF_SHA256}  /tmp/libtensorflow.tgz" | sha256sum -c -; fi \
 && tar -C /usr/local -xzf /tmp/libtensorflow.tgz \
 && rm /tmp/libtensorflow.tgz \
 && ldconfig \
 && ldconfig -p | grep -q libtensorflow.so

COPY --from=data /usr/share/datasets/fashion-mnist /usr/share/datasets/fashion-mnist

# GOTOOLCHAIN=local: never fetch another toolchain. The caches live outside
# /root so that the container also runs with --user.
ENV PATH=/usr/local/go/bin:$PATH \
    CGO_ENABLED=1 \
    GOTOOLCHAIN=local \
    GOFLAGS=-buildvcs=false \
    GOPATH=/opt/go \
    GOMODCACHE=/opt/go/pkg/mod \
    GOCACHE=/opt/go/cache \
    TF_CPP_MIN_LOG_LEVEL=1

WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Compile and link everything once with the engine (this is where the
# tagged code meets the real C headers and library), vet it with cgo, and
# make the tree and caches writable for any --user. Nothing runs here: the
# build machine needs no GPU.
RUN go build -tags tensorflow ./... \
 && go vet -tags tensorflow ./tfrunner/tensorflow \
 && go test -tags tensorflow -c -o /tmp/tf.test ./tfrunner/tensorflow && rm /tmp/tf.test \
 && chmod -R a+rwX /src /opt/go

VOLUME /out
CMD ["make", "ENGINE=tensorflow", "RUNS=/out/runs", "REPORT=/out/report"]
