// Package tensorflow is fmnist's TensorFlow engine: it lowers a graphs.Model
// to a TensorFlow graph (resource variables, Conv2D, MaxPool, MatMul,
// BiasAdd, Relu, softmax cross-entropy, symbolic gradients and
// ResourceApplyAdam) and runs it in one TensorFlow session per model through
// the C API, using the Go bindings of github.com/wamuir/graft. Importing it
// registers the engine "tensorflow" with tfrunner.
//
// The engine needs libtensorflow 2.15 (the C library and its headers, CPU or
// GPU build; `make libtensorflow` installs it from TensorFlow's PyPI wheel)
// and the build tag "tensorflow":
//
//	make train ENGINE=tensorflow
//	eval "$(make -s tf-env)"; go run -tags tensorflow ./cmd/train
//
// Without the tag the package holds only pure-Go helpers (the session's
// ConfigProto bytes, device naming, tensor decoding, the version check) and
// registers nothing, so the default build needs neither cgo nor
// libtensorflow. The engine refuses, when opened, a linked library of
// another release than WantVersion. Its tests, among them tfrunner's
// conformance suite (tfrunner/enginetest), run in make test. See README.md,
// "The TensorFlow engine".
package tensorflow
