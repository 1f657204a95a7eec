package tensorflow

// This file holds the engine's pure-Go parts. It has no build tag and does
// not import graft, so its tests run in the default build.

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	"fmnist/graphs"
	"fmnist/tfrunner"
)

// Name is the engine's registry name.
const Name = "tensorflow"

// WantVersion is the libtensorflow release the engine is written for: the
// one graft v0.7.0 wraps, and the one make libtensorflow installs.
const WantVersion = "2.15"

// checkVersion refuses a linked library of another release than WantVersion
// (TF_Version() says, e.g., "2.15.1"), saying what to do.
func checkVersion(v string) error {
	if v == WantVersion || strings.HasPrefix(v, WantVersion+".") {
		return nil
	}
	return fmt.Errorf("tensorflow: the linked libtensorflow is version %q, the engine needs %s.x (graft v0.7.0): run `make libtensorflow` and build through make, or point CGO_CFLAGS/CGO_LDFLAGS at a %s install (`make -s tf-env` prints them)", v, WantVersion, WantVersion)
}

// threadBytes is what each thread of TensorFlow's pools is counted at: its
// stack and per-thread state, well below the 8 MiB of stack address space
// it reserves.
const threadBytes = 1 << 20

// memoryNeed estimates the bytes a program of m with cfg holds, without
// building it: the variables (weights, two Adam moments, the gradients),
// each layer's output kept for the backward pass for a batch of
// cfg.MaxBatch (twice: the output and its gradient) or for an evaluation
// chunk, and the threads of the intra- and inter-op pools (cfg.Threads
// each; 0 is counted as all cores). Sums are in floating point so that no
// choice overflows.
func memoryNeed(m *graphs.Model, cfg tfrunner.Config, cores int) (float64, error) {
	if m == nil {
		return 0, fmt.Errorf("tensorflow: nil model")
	}
	shapes, err := m.Shapes()
	if err != nil {
		return 0, fmt.Errorf("tensorflow: %w", err)
	}
	var params, perImage float64
	for _, s := range m.ParamSpecs() {
		params += float64(s.Size())
	}
	for _, sh := range shapes {
		perImage += float64(sh.Size())
	}
	cfg, err = cfg.Resolve(m)
	if err != nil {
		return 0, fmt.Errorf("tensorflow: %w", err)
	}
	batch := float64(cfg.MaxBatch)
	threads := float64(cfg.Threads)
	if cfg.Threads <= 0 {
		threads = float64(cores)
	}
	images := math.Max(2*batch, tfrunner.EvalChunk)
	return 4*(4*params+(images+batch)*(perImage+float64(m.Input.Size()))) + 2*threads*threadBytes, nil
}

// sessionConfig returns the serialized tensorflow.ConfigProto given to the
// session, encoded by hand (protobuf wire format: each field is a varint key
// (field_number<<3 | wire_type) followed by its value):
//
//	0x10 N        intra_op_parallelism_threads (field 2, varint) = threads
//	0x28 N        inter_op_parallelism_threads (field 5, varint) = threads
//	0x32 0x02     gpu_options (field 6, length-delimited, 2 bytes):
//	  0x20 0x01     GPUOptions.allow_growth (field 4, varint) = true
//	0x38 0x01     allow_soft_placement (field 7, varint) = true
//
// The thread fields are present only when threads > 0 (0 lets TensorFlow
// use every core). allow_growth makes the GPU allocator grow on demand
// instead of reserving nearly all GPU memory at session creation;
// allow_soft_placement lets an op without a GPU kernel run on the CPU.
func sessionConfig(threads int) []byte {
	var b []byte
	if threads > 0 {
		b = append(b, 0x10)
		b = binary.AppendUvarint(b, uint64(threads))
		b = append(b, 0x28)
		b = binary.AppendUvarint(b, uint64(threads))
	}
	b = append(b, 0x32, 0x02, 0x20, 0x01)
	b = append(b, 0x38, 0x01)
	return b
}

// device is what the session reports about one of its devices.
type device struct {
	Name string // "/job:localhost/replica:0/task:0/device:GPU:0"
	Type string // "CPU", "GPU", ...
}

// pickDevice names the device the graph runs on: TensorFlow places every op
// that has a GPU kernel on the first GPU when there is one, else on the CPU.
// The name is shortened to its "/device:TYPE:N" part.
func pickDevice(devs []device) string {
	short := func(name string) string {
		if i := strings.Index(name, "/device:"); i >= 0 {
			return name[i:]
		}
		return name
	}
	for _, d := range devs {
		if d.Type == "GPU" {
			return short(d.Name)
		}
	}
	for _, d := range devs {
		if d.Type == "CPU" {
			return short(d.Name)
		}
	}
	return "/device:CPU:0"
}

// decodeFloat32s converts a float32 tensor's raw contents (host byte order,
// as TF_TensorData holds them) to a slice.
func decodeFloat32s(raw []byte) ([]float32, error) {
	if len(raw)%4 != 0 {
		return nil, fmt.Errorf("float32 tensor holds %d bytes, not a multiple of 4", len(raw))
	}
	out := make([]float32, len(raw)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.NativeEndian.Uint32(raw[4*i:]))
	}
	return out, nil
}

// betaPowers returns beta1^(step+1) and beta2^(step+1) as the graph holds
// them after step updates: the beta-power variables start at beta (the
// value update 1 reads) and each training step multiplies them by beta in
// float32, like Keras' Adam. They are computed here by the same float32
// products, not by a float64 power rounded once, so that a program restored
// with SetOptimizer continues bit for bit like the one that was saved.
func betaPowers(a tfrunner.Adam, step int64) (float32, float32) {
	b1, b2 := float32(a.Beta1), float32(a.Beta2)
	p1, p2 := b1, b2
	for range step {
		p1 *= b1
		p2 *= b2
	}
	return p1, p2
}

// labelsInt32 converts labels (checked by tfrunner.CheckBatch) for the
// int32 label placeholder.
func labelsInt32(labels []int) []int32 {
	out := make([]int32, len(labels))
	for i, y := range labels {
		out[i] = int32(y)
	}
	return out
}

// int64s converts a shape for TensorFlow.
func int64s(s []int) []int64 {
	out := make([]int64, len(s))
	for i, v := range s {
		out[i] = int64(v)
	}
	return out
}

// window4 is an NHWC window or stride: [1, k, k, 1].
func window4(k int) []int64 { return []int64{1, int64(k), int64(k), 1} }

// checkModel verifies that the engine can lower every layer of m.
func checkModel(m *graphs.Model) error {
	if m == nil {
		return fmt.Errorf("nil model")
	}
	if err := m.Validate(); err != nil {
		return err
	}
	if len(m.Input) != 3 {
		return fmt.Errorf("model %s: input shape %v is not [H, W, C]", m.Name, []int(m.Input))
	}
	for _, l := range m.Layers {
		switch l := l.(type) {
		case *graphs.Conv2D, *graphs.MaxPool2D, *graphs.Flatten:
		case *graphs.Dense:
			if l.Activation != graphs.Linear && l.Activation != graphs.ReLU && l.Activation != graphs.Softmax && l.Activation != "" {
				return fmt.Errorf("model %s: layer %s: activation %q is not supported", m.Name, l.Name, l.Activation)
			}
		default:
			return fmt.Errorf("model %s: layer %s: type %s is not supported by the tensorflow engine", m.Name, l.LayerName(), l.Type())
		}
		if c, ok := l.(*graphs.Conv2D); ok && c.Activation != graphs.Linear && c.Activation != graphs.ReLU && c.Activation != "" {
			return fmt.Errorf("model %s: layer %s: activation %q is not supported", m.Name, c.Name, c.Activation)
		}
	}
	return nil
}
