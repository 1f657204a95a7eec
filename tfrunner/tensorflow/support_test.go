package tensorflow

// These tests run in the default build: they cover the engine's pure-Go
// parts, which need neither cgo nor libtensorflow.

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"testing"

	configpb "github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
	"google.golang.org/protobuf/proto"

	"fmnist/graphs"
	"fmnist/tfrunner"
)

// TestSessionConfig decodes the hand-encoded bytes with graft's generated
// ConfigProto (pure Go), so a wrong field number or wire type shows here.
func TestSessionConfig(t *testing.T) {
	if got, want := sessionConfig(0), []byte{0x32, 0x02, 0x20, 0x01, 0x38, 0x01}; !bytes.Equal(got, want) {
		t.Errorf("sessionConfig(0) = % x, want % x", got, want)
	}
	for _, threads := range []int{0, 1, 2, 300} {
		var c configpb.ConfigProto
		if err := proto.Unmarshal(sessionConfig(threads), &c); err != nil {
			t.Fatalf("threads %d: %v", threads, err)
		}
		if !c.GetGpuOptions().GetAllowGrowth() {
			t.Errorf("threads %d: gpu_options.allow_growth is not set", threads)
		}
		if !c.GetAllowSoftPlacement() {
			t.Errorf("threads %d: allow_soft_placement is not set", threads)
		}
		if int(c.GetIntraOpParallelismThreads()) != threads || int(c.GetInterOpParallelismThreads()) != threads {
			t.Errorf("threads %d: intra %d inter %d", threads, c.GetIntraOpParallelismThreads(), c.GetInterOpParallelismThreads())
		}
		if len(c.ProtoReflect().GetUnknown()) != 0 {
			t.Errorf("threads %d: unknown fields % x", threads, c.ProtoReflect().GetUnknown())
		}
	}
}

func TestPickDevice(t *testing.T) {
	cpu := device{Name: "/job:localhost/replica:0/task:0/device:CPU:0", Type: "CPU"}
	gpu := device{Name: "/job:localhost/replica:0/task:0/device:GPU:0", Type: "GPU"}
	for _, c := range []struct {
		devs []device
		want string
	}{
		{[]device{cpu}, "/device:CPU:0"},
		{[]device{cpu, gpu}, "/device:GPU:0"},
		{nil, "/device:CPU:0"},
	} {
		if got := pickDevice(c.devs); got != c.want {
			t.Errorf("pickDevice(%v) = %q, want %q", c.devs, got, c.want)
		}
	}
}

func TestDecodeFloat32s(t *testing.T) {
	want := []float32{0, 1.5, -2, float32(math.Inf(1))}
	raw := make([]byte, 0, 16)
	for _, v := range want {
		raw = binary.NativeEndian.AppendUint32(raw, math.Float32bits(v))
	}
	got, err := decodeFloat32s(raw)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("value %d = %v, want %v", i, got[i], want[i])
		}
	}
	if _, err := decodeFloat32s(raw[:5]); err == nil {
		t.Error("5 bytes: no error")
	}
}

func TestBetaPowers(t *testing.T) {
	b1, b2 := betaPowers(tfrunner.KerasAdam, 0)
	if b1 != float32(0.9) || b2 != float32(0.999) {
		t.Errorf("step 0: %v %v, want 0.9 0.999", b1, b2)
	}
	b1, b2 = betaPowers(tfrunner.KerasAdam, 9)
	if math.Abs(float64(b1)-math.Pow(0.9, 10)) > 1e-6 || math.Abs(float64(b2)-math.Pow(0.999, 10)) > 1e-6 {
		t.Errorf("step 9: %v %v", b1, b2)
	}
	// The float32 products the graph computes, not a rounded float64 power.
	p1, p2 := float32(0.9), float32(0.999)
	for range 1000 {
		p1 *= float32(0.9)
		p2 *= float32(0.999)
	}
	if b1, b2 = betaPowers(tfrunner.KerasAdam, 1000); b1 != p1 || b2 != p2 {
		t.Errorf("step 1000: %v %v, want the float32 products %v %v", b1, b2, p1, p2)
	}
}

func TestChecks(t *testing.T) {
	m := graphs.A(5)
	if err := checkModel(m); err != nil {
		t.Errorf("model A: %v", err)
	}
	if err := checkModel(nil); err == nil {
		t.Error("nil model: no error")
	}
	if y := labelsInt32([]int{0, 4}); len(y) != 2 || y[1] != 4 {
		t.Errorf("labels: %v", y)
	}
	if got := window4(3); len(got) != 4 || got[0] != 1 || got[1] != 3 || got[2] != 3 || got[3] != 1 {
		t.Errorf("window4(3) = %v", got)
	}
	if got := int64s([]int{3, 3, 1, 32}); len(got) != 4 || got[3] != 32 {
		t.Errorf("int64s = %v", got)
	}
}

func TestCheckVersion(t *testing.T) {
	for _, tt := range []struct {
		v  string
		ok bool
	}{{"2.15.1", true}, {"2.15.0", true}, {"2.15", true}, {"2.16.1", false}, {"2.150.0", false}, {"", false}} {
		err := checkVersion(tt.v)
		if (err == nil) != tt.ok {
			t.Errorf("checkVersion(%q) = %v", tt.v, err)
		}
		if err != nil && !strings.Contains(err.Error(), "make libtensorflow") {
			t.Errorf("checkVersion(%q): %v does not say what to do", tt.v, err)
		}
	}
}

func TestMemoryNeed(t *testing.T) {
	m := graphs.A(5)
	small, err := memoryNeed(m, tfrunner.Config{MaxBatch: 32, Threads: 2}, 2)
	if err != nil {
		t.Fatal(err)
	}
	// Model A: 174,629 parameters ×4 copies, plus 1064 images of 36,016
	// values each, plus 4 threads: about 170 MB.
	if small < 100e6 || small > 250e6 {
		t.Errorf("model A, batch 32, 2 threads: %.3g bytes, want about 1.7e8", small)
	}
	for _, cfg := range []tfrunner.Config{{MaxBatch: 1e12, Threads: 2}, {MaxBatch: 32, Threads: 1e12}} {
		n, err := memoryNeed(m, cfg, 2)
		if err != nil || n < 1e15 {
			t.Errorf("%+v: %.3g bytes (%v), want more than any machine has", cfg, n, err)
		}
	}
	if _, err := memoryNeed(nil, tfrunner.Config{}, 2); err == nil {
		t.Error("nil model: no error")
	}
}
