// Package tensorflow is fmnist's TensorFlow engine: it lowers a graphs.Model
// to a TensorFlow graph (resource variables, Conv2D, MaxPool, MatMul,
// BiasAdd, Relu, softmax cross-entropy, symbolic gradients and
// ResourceApplyAdam) and runs it in one TensorFlow session per model through
// the C API, using the Go bindings of github.com/wamuir/graft. Importing it
// registers the engine "tensorflow" with tfrunner.
//
// The engine needs libtensorflow 2.15 (the C library and its headers, CPU or
// GPU build) and the build tag "tensorflow":
//
//	go run -tags tensorflow ./cmd/train -engine tensorflow
//
// Without the tag the package holds only pure-Go helpers (the session's
// ConfigProto bytes, device naming, tensor decoding) and registers nothing,
// so the default build needs neither cgo nor libtensorflow. Where
// libtensorflow is missing the tagged code is type-checked by
// tools/tfcheck instead of compiled. See README.md, "The TensorFlow engine".
package tensorflow
