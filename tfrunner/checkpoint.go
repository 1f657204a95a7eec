package tfrunner

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"

	"fmnist/graphs"
	"fmnist/internal/atomicfile"
)

// Checkpoint is everything needed to continue training exactly where it
// stopped: the settings that shaped the run, weights, Adam state, history and
// the position inside the current epoch. Every engine reads and writes the
// same format.
//
// The file weights.ckpt is laid out as:
//
//	magic    8 bytes  "FMNCKPT2"
//	hdrLen   uint32   little-endian length of the JSON header
//	header   hdrLen bytes of JSON (checkpointHeader: the run's settings,
//	         position, history, and each tensor's name, shape and role)
//	data     the tensors' float32 values, little-endian, in header order:
//	         the weights, then Adam's m, then Adam's v
//	crc      uint32   little-endian CRC-32 (IEEE) of everything before it
//
// Format 2 added the settings (Settings: data fingerprint, limit, example
// counts, batch, epochs, classes, seed, model, engine, Adam). Format 1 files
// ("FMNCKPT1", which recorded only model, seed and batch) are refused with a
// message saying so: they cannot show that a resume uses the same data and
// settings.
//
// ReadCheckpoint checks every header field for range and consistency: the
// settings are possible, 0 <= epoch <= epochs, 0 <= step < the steps of an
// epoch (0 once all epochs are done), the history holds exactly the epochs
// done with finite values in range, the partial epoch's sums are possible
// for its steps, and Adam's step count is the number of steps trained.
type Checkpoint struct {
	// Settings are the settings the run was started with.
	Settings
	Weights Weights
	Adam    OptimizerState
	History History
	// Epoch is the number of completed epochs.
	Epoch int
	// Step is the number of batches already trained in epoch Epoch+1; zero at
	// an epoch boundary. StepLoss, StepCorrect and StepSeconds are that
	// partial epoch's running sums.
	Step        int
	StepLoss    float64
	StepCorrect int
	StepSeconds float64
}

const (
	ckptMagic   = "FMNCKPT2"
	ckptMagicV1 = "FMNCKPT1"
)

type ckptTensor struct {
	Name  string `json:"name"`
	Role  string `json:"role"` // "weight", "adam_m", "adam_v"
	Shape []int  `json:"shape"`
}

type checkpointHeader struct {
	Settings    Settings     `json:"settings"`
	Epoch       int          `json:"epoch"`
	Step        int          `json:"step"`
	StepLoss    float64      `json:"step_loss"`
	StepCorrect int          `json:"step_correct"`
	StepSeconds float64      `json:"step_seconds"`
	AdamStep    int64        `json:"adam_step"`
	History     History      `json:"history"`
	Tensors     []ckptTensor `json:"tensors"`
}

// WriteCheckpoint writes c to path atomically.
func WriteCheckpoint(path string, c *Checkpoint) error {
	h := checkpointHeader{Settings: c.Settings, Epoch: c.Epoch, Step: c.Step,
		StepLoss: c.StepLoss, StepCorrect: c.StepCorrect, StepSeconds: c.StepSeconds,
		AdamStep: c.Adam.Step, History: c.History}
	var all []Tensor
	add := func(role string, ts Weights) {
		for _, t := range ts {
			h.Tensors = append(h.Tensors, ckptTensor{Name: t.Name, Role: role, Shape: t.Shape})
			all = append(all, t)
		}
	}
	add("weight", c.Weights)
	add("adam_m", c.Adam.M)
	add("adam_v", c.Adam.V)
	hdr, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		crc := crc32.NewIEEE()
		mw := io.MultiWriter(w, crc)
		var n [4]byte
		binary.LittleEndian.PutUint32(n[:], uint32(len(hdr)))
		for _, b := range [][]byte{[]byte(ckptMagic), n[:], hdr} {
			if _, err := mw.Write(b); err != nil {
				return err
			}
		}
		buf := make([]byte, 0, 1<<16)
		for _, t := range all {
			for _, v := range t.Data {
				buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
				if len(buf) == cap(buf) {
					if _, err := mw.Write(buf); err != nil {
						return err
					}
					buf = buf[:0]
				}
			}
		}
		if _, err := mw.Write(buf); err != nil {
			return err
		}
		binary.LittleEndian.PutUint32(n[:], crc.Sum32())
		_, err := w.Write(n[:])
		return err
	})
}

// ErrNoCheckpoint is returned by ReadCheckpoint when the file does not exist.
var ErrNoCheckpoint = errors.New("no checkpoint")

// ReadCheckpoint reads a checkpoint written by WriteCheckpoint and, when m is
// not nil, checks that its tensors fit m.
func ReadCheckpoint(path string, m *graphs.Model) (*Checkpoint, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", path, ErrNoCheckpoint)
	}
	if err != nil {
		return nil, err
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("checkpoint %s: "+format, append([]any{path}, args...)...)
	}
	if len(data) >= len(ckptMagicV1) && string(data[:len(ckptMagicV1)]) == ckptMagicV1 {
		return nil, bad("format 1, written by an older fmnist: it does not record the data and settings it was trained with, " +
			"so a resume cannot be checked; train again without -resume")
	}
	if len(data) < len(ckptMagic)+8 || string(data[:len(ckptMagic)]) != ckptMagic {
		return nil, bad("not an fmnist checkpoint (bad magic or truncated at byte %d)", len(data))
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, bad("checksum mismatch: the file is corrupt or truncated (%d bytes)", len(data))
	}
	off := len(ckptMagic)
	hlen := int(binary.LittleEndian.Uint32(body[off:]))
	off += 4
	if hlen > len(body)-off {
		return nil, bad("header length %d at byte %d runs past the end", hlen, off-4)
	}
	var h checkpointHeader
	dec := json.NewDecoder(bytes.NewReader(body[off : off+hlen]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		return nil, bad("header: %v", err)
	}
	if err := h.check(); err != nil {
		return nil, bad("header: %v", err)
	}
	off += hlen
	c := &Checkpoint{Settings: h.Settings, Epoch: h.Epoch, Step: h.Step,
		StepLoss: h.StepLoss, StepCorrect: h.StepCorrect, StepSeconds: h.StepSeconds, History: h.History}
	c.Adam.Step = h.AdamStep
	for _, t := range h.Tensors {
		// The size, checked dimension by dimension so that no product
		// overflows: it must fit in the bytes left.
		n, left := 1, (len(body)-off)/4
		for _, dim := range t.Shape {
			if dim < 0 {
				return nil, bad("tensor %s (%s) at byte %d: shape %v has a negative dimension", t.Name, t.Role, off, t.Shape)
			}
			if dim > 0 && n > left/dim {
				return nil, bad("tensor %s (%s) at byte %d: shape %v runs past the end", t.Name, t.Role, off, t.Shape)
			}
			n *= dim
		}
		if n > left {
			return nil, bad("tensor %s (%s) at byte %d: shape %v runs past the end", t.Name, t.Role, off, t.Shape)
		}
		vals := make([]float32, n)
		for i := range vals {
			vals[i] = math.Float32frombits(binary.LittleEndian.Uint32(body[off+4*i:]))
		}
		off += 4 * n
		tensor := Tensor{Name: t.Name, Shape: t.Shape, Data: vals}
		switch t.Role {
		case "weight":
			c.Weights = append(c.Weights, tensor)
		case "adam_m":
			c.Adam.M = append(c.Adam.M, tensor)
		case "adam_v":
			c.Adam.V = append(c.Adam.V, tensor)
		default:
			return nil, bad("tensor %s has unknown role %q", t.Name, t.Role)
		}
	}
	if off != len(body) {
		return nil, bad("%d unexpected bytes after the tensors at byte %d", len(body)-off, off)
	}
	if m != nil {
		if c.Model != m.Name {
			return nil, bad("holds model %q, want %q", c.Model, m.Name)
		}
		if c.Classes != m.Classes() {
			return nil, bad("settings say %d classes, model %s has %d outputs", c.Classes, m.Name, m.Classes())
		}
		for _, w := range []Weights{c.Weights, c.Adam.M, c.Adam.V} {
			if err := w.Check(m); err != nil {
				return nil, bad("%v", err)
			}
		}
	}
	return c, nil
}

// check tests every field of the header but the tensors for range and
// consistency.
func (h *checkpointHeader) check() error {
	s := h.Settings
	if err := s.check(); err != nil {
		return err
	}
	steps := s.Steps()
	switch {
	case h.Epoch < 0 || h.Epoch > s.Epochs:
		return fmt.Errorf("epoch %d outside 0..%d (the run's epochs)", h.Epoch, s.Epochs)
	case h.Step < 0 || h.Step >= steps:
		return fmt.Errorf("step %d outside 0..%d (an epoch of %d examples in batches of %d has %d steps)", h.Step, steps-1, s.Train, s.Batch, steps)
	case h.Epoch == s.Epochs && h.Step != 0:
		return fmt.Errorf("step %d after the last epoch %d", h.Step, h.Epoch)
	case !finite(h.StepLoss) || h.StepLoss < 0 || !finite(h.StepSeconds) || h.StepSeconds < 0:
		return fmt.Errorf("partial epoch loss %v or seconds %v not a finite non-negative number", h.StepLoss, h.StepSeconds)
	case h.StepCorrect < 0 || h.StepCorrect > h.Step*s.Batch:
		return fmt.Errorf("%d correct predictions in %d steps of batch %d", h.StepCorrect, h.Step, s.Batch)
	case h.Step == 0 && (h.StepLoss != 0 || h.StepCorrect != 0):
		return fmt.Errorf("partial epoch loss %v and %d correct predictions at step 0", h.StepLoss, h.StepCorrect)
	case h.AdamStep != int64(h.Epoch)*int64(steps)+int64(h.Step):
		return fmt.Errorf("Adam step %d, but %d epochs of %d steps and %d steps more were trained", h.AdamStep, h.Epoch, steps, h.Step)
	case h.History.Model != s.Model:
		return fmt.Errorf("history of model %q in a checkpoint of model %q", h.History.Model, s.Model)
	case len(h.History.Epochs) != h.Epoch:
		return fmt.Errorf("history holds %d epochs, but epoch %d is done", len(h.History.Epochs), h.Epoch)
	}
	for i, e := range h.History.Epochs {
		switch {
		case e.Epoch != i+1:
			return fmt.Errorf("history entry %d is epoch %d, want %d", i+1, e.Epoch, i+1)
		case !finite(e.Loss, e.ValLoss, e.Seconds) && !(s.Validation == 0 && finite(e.Loss, e.Seconds)):
			return fmt.Errorf("history epoch %d: loss %v, validation loss %v or seconds %v not finite", e.Epoch, e.Loss, e.ValLoss, e.Seconds)
		case e.Loss < 0 || e.Seconds < 0 || !inUnit(e.Accuracy) || (s.Validation > 0 && (!inUnit(e.ValAccuracy) || e.ValLoss < 0)):
			return fmt.Errorf("history epoch %d: values out of range (loss %v, accuracy %v, validation %v/%v, seconds %v)",
				e.Epoch, e.Loss, e.Accuracy, e.ValLoss, e.ValAccuracy, e.Seconds)
		}
	}
	return nil
}

// finite reports whether every value is neither NaN nor infinite.
func finite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// inUnit reports whether v is in [0, 1].
func inUnit(v float64) bool { return v >= 0 && v <= 1 }
