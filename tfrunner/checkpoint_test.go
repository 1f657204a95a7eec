package tfrunner

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"fmnist/graphs"
)

func testCheckpoint(m *graphs.Model) *Checkpoint {
	w := InitWeights(m, 1)
	return &Checkpoint{
		Settings: Settings{Model: m.Name, Data: "0123456789abcdef0123456789abcdef", Train: 100, Validation: 25,
			Batch: 32, Epochs: 3, Classes: 5, Seed: 1, Adam: KerasAdam, Engine: "native"}, // 4 steps an epoch
		Weights: w,
		Adam:    OptimizerState{Step: 7, M: InitWeights(m, 2), V: InitWeights(m, 3)},
		History: History{Model: m.Name, Epochs: []Epoch{{Epoch: 1, Loss: 0.5, Accuracy: 0.8, ValLoss: 0.4, ValAccuracy: 0.85, Seconds: 1.5}}},
		Epoch:   1, Step: 3, StepLoss: 1.25, StepCorrect: 17, StepSeconds: 0.25,
	}
}

func TestCheckpointRoundTrip(t *testing.T) {
	m := graphs.A(5)
	want := testCheckpoint(m)
	path := filepath.Join(t.TempDir(), WeightsFile)
	if err := WriteCheckpoint(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadCheckpoint(path, m)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Error("checkpoint changed in a round trip")
	}
}

func TestCheckpointErrors(t *testing.T) {
	m := graphs.A(5)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.ckpt")
	if err := WriteCheckpoint(good, testCheckpoint(m)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	flipped := append([]byte(nil), data...)
	flipped[len(flipped)/2] ^= 1
	tests := []struct {
		name  string
		data  []byte
		model *graphs.Model
		want  string
	}{
		{"truncated", data[:len(data)/2], m, "checksum"},
		{"tiny", data[:5], m, "bad magic"},
		{"bad magic", append([]byte("XXXXXXXX"), data[8:]...), m, "bad magic"},
		{"flipped bit", flipped, m, "checksum"},
		{"other model", data, graphs.B(5), "want \"B\""},
		// Valid checksums over shapes whose sizes overflow or are negative.
		{"huge shape", withShape(t, data, []int{1 << 62, 4}), nil, "runs past the end"},
		{"negative shape", withShape(t, data, []int{-2, -3}), nil, "negative dimension"},
		{"scalar with no bytes left", withShape(t, withTensors(t, data, 0), []int{}), nil, "runs past the end"},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_"))
		if err := os.WriteFile(path, tt.data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := ReadCheckpoint(path, tt.model)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: err = %v, want one naming %s and containing %q", tt.name, err, path, tt.want)
		}
	}
	if _, err := ReadCheckpoint(filepath.Join(dir, "missing"), m); !errors.Is(err, ErrNoCheckpoint) {
		t.Errorf("missing file: err = %v, want ErrNoCheckpoint", err)
	}
}

func TestInitWeights(t *testing.T) {
	m := graphs.A(5)
	w := InitWeights(m, 5)
	if err := w.Check(m); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(w, InitWeights(m, 5)) {
		t.Error("same seed, different weights")
	}
	if reflect.DeepEqual(w, InitWeights(m, 6)) {
		t.Error("different seeds, same weights")
	}
	for i, s := range m.ParamSpecs() {
		limit := float32(0)
		var sum float64
		for _, v := range w[i].Data {
			limit = max(limit, v, -v)
			sum += float64(v)
		}
		if s.Name == "bias" && limit != 0 {
			t.Errorf("%s: biases not zero", s.Key())
		}
		if s.Name == "kernel" {
			want := float32(math.Sqrt(6 / float64(s.FanIn+s.FanOut)))
			if limit > want || limit < 0.9*want {
				t.Errorf("%s: max |w| = %g, want close to Glorot limit %g", s.Key(), limit, want)
			}
		}
	}
}

// withTensors returns the checkpoint file data with only its first tensor
// header and bytes bytes of tensor data, and a header length and checksum
// that match.
func withTensors(t *testing.T, data []byte, bytes int) []byte {
	t.Helper()
	h, rest := splitCheckpoint(t, data)
	h.Tensors = h.Tensors[:1]
	return joinCheckpoint(t, h, rest[:bytes])
}

// withShape returns the checkpoint file data with its first tensor's shape
// replaced, and a header length and checksum that match.
func withShape(t *testing.T, data []byte, shape []int) []byte {
	t.Helper()
	h, rest := splitCheckpoint(t, data)
	h.Tensors[0].Shape = shape
	return joinCheckpoint(t, h, rest)
}

// splitCheckpoint returns a checkpoint file's header and tensor bytes.
func splitCheckpoint(t *testing.T, data []byte) (checkpointHeader, []byte) {
	t.Helper()
	off := len(ckptMagic)
	hlen := int(binary.LittleEndian.Uint32(data[off:]))
	var h checkpointHeader
	if err := json.Unmarshal(data[off+4:off+4+hlen], &h); err != nil {
		t.Fatal(err)
	}
	return h, data[off+4+hlen : len(data)-4]
}

// joinCheckpoint assembles a checkpoint file with a matching header length
// and checksum.
func joinCheckpoint(t *testing.T, h checkpointHeader, tensors []byte) []byte {
	t.Helper()
	header, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	out := append([]byte(ckptMagic), binary.LittleEndian.AppendUint32(nil, uint32(len(header)))...)
	out = append(out, header...)
	out = append(out, tensors...)
	return binary.LittleEndian.AppendUint32(out, crc32.ChecksumIEEE(out))
}
