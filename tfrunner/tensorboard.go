package tfrunner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"fmnist/cluster"
	"fmnist/dataset"
	"fmnist/graphs"
	"fmnist/tfrunner/onnx"
	"fmnist/tfrunner/tboard"
)

// The TensorBoard log and the ONNX model inside a run directory.
const (
	// LogDir holds the TensorBoard log, laid out as Keras' TensorBoard
	// callback lays it out: LogDir/train and LogDir/validation are two
	// TensorBoard runs with the same tags, so each chart overlays them.
	LogDir = "logs"
	// TrainLog is the training sub-run; it also holds the projector's files.
	TrainLog = "logs/train"
	// ValidationLog is the validation sub-run.
	ValidationLog = "logs/validation"
	// ONNXFile is the trained model in ONNX form (see package onnx).
	ONNXFile = "model.onnx"
)

// Scalar tags of the TensorBoard log. The epoch tags are written to both
// sub-runs at step = epoch number (1-based, as in history.json); the batch
// tags to the train sub-run at step = global step (batches trained since the
// start), every Options.LogSteps steps, with the epoch's running means so far
// (Keras' batch_loss with update_freq); epoch_seconds to the train sub-run.
const (
	TagEpochLoss     = "epoch_loss"
	TagEpochAccuracy = "epoch_accuracy"
	TagEpochSeconds  = "epoch_seconds"
	TagBatchLoss     = "batch_loss"
	TagBatchAccuracy = "batch_accuracy"
)

// DefaultLogSteps is how often the batch tags are logged when
// Options.LogSteps is 0.
const DefaultLogSteps = 100

// MaxProjectorDims bounds the encoding size the projector's tensor holds as
// it is: the tensor is a TSV file of every test image's encoding, which for
// the default model's 6,272-value Flatten output would be about 600 MB (and
// as much for the browser to load). A wider encoding is written as its top
// ProjectorComponents principal components instead.
const MaxProjectorDims = 1024

// ProjectorComponents is how many principal components stand in the
// projector's tensor for an encoding wider than MaxProjectorDims (the
// default model's 6,272-value Flatten output): what t-SNE is usually run on.
const ProjectorComponents = 50

// boardLog writes a run's TensorBoard log as training goes; it wraps the
// run's Progress, so Fit needs no change to feed it.
type boardLog struct {
	train, val   *tboard.Writer
	inner        Progress
	every        int
	epoch, steps int
	err          error // first write error; later writes are skipped
}

// openBoard opens the run's TensorBoard log and logs m's graph in the train
// sub-run. A resumed run whose checkpoint exists keeps the log and appends
// to it (no (tag, step) twice, no second graph); any other run starts a new
// log.
func openBoard(m *graphs.Model, opts Options) (*boardLog, error) {
	keep := false
	if opts.Resume {
		if _, err := os.Stat(filepath.Join(opts.Dir, WeightsFile)); err == nil {
			keep = true
		}
	}
	every := opts.LogSteps
	if every <= 0 {
		every = DefaultLogSteps
	}
	if !keep {
		if err := os.RemoveAll(filepath.Join(opts.Dir, LogDir)); err != nil {
			return nil, fmt.Errorf("tensorboard log: %w", err)
		}
	}
	b := &boardLog{inner: opts.Progress, every: every}
	var err error
	if b.train, err = tboard.Create(filepath.Join(opts.Dir, TrainLog), keep); err != nil {
		return nil, err
	}
	if b.val, err = tboard.Create(filepath.Join(opts.Dir, ValidationLog), keep); err != nil {
		b.train.Close()
		return nil, err
	}
	graph, err := modelGraph(m)
	if err == nil {
		err = b.train.Graph(graph)
	}
	if err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// modelGraph describes m for TensorBoard's Graphs tab with the ops the
// TensorFlow engine builds, one name scope per layer; shapes have -1 for
// the batch dimension. A model whose shapes do not work out is an error.
func modelGraph(m *graphs.Model) ([]tboard.Node, error) {
	shapes, err := m.Shapes()
	if err != nil {
		return nil, fmt.Errorf("TensorBoard graph of model %s: %w", m.Name, err)
	}
	batch := func(s graphs.Shape) []int64 { return append([]int64{-1}, toInt64(s)...) }
	nodes := []tboard.Node{{Name: "input", Op: "Placeholder", Shape: batch(m.Input)}}
	prev := "input"
	op := func(layer, name string, shape graphs.Shape, inputs ...string) {
		n := tboard.Node{Name: layer + "/" + name, Op: name, Inputs: inputs}
		if shape != nil {
			n.Shape = batch(shape)
		}
		nodes = append(nodes, n)
		prev = n.Name
	}
	params := m.ParamSpecs()
	p := 0
	weighted := func(l string, first string, out graphs.Shape, act graphs.Activation) {
		kern, bias := params[p], params[p+1]
		p += 2
		nodes = append(nodes,
			tboard.Node{Name: kern.Key(), Op: "VarHandleOp", Shape: toInt64(kern.Shape)},
			tboard.Node{Name: bias.Key(), Op: "VarHandleOp", Shape: toInt64(bias.Shape)})
		op(l, first, out, prev, kern.Key())
		op(l, "BiasAdd", out, prev, bias.Key())
		switch act {
		case graphs.ReLU:
			op(l, "Relu", out, prev)
		case graphs.Softmax:
			op(l, "Softmax", out, prev)
		}
	}
	for i, l := range m.Layers {
		switch l := l.(type) {
		case *graphs.Conv2D:
			weighted(l.Name, "Conv2D", shapes[i], l.Activation)
		case *graphs.MaxPool2D:
			op(l.Name, "MaxPool", shapes[i], prev)
		case *graphs.Flatten:
			op(l.Name, "Reshape", shapes[i], prev)
		case *graphs.Dense:
			weighted(l.Name, "MatMul", shapes[i], l.Activation)
		}
	}
	return nodes, nil
}

// toInt64 converts a shape for TensorBoard's GraphDef (the TensorFlow
// engine has its twin, int64s, in its own package).
func toInt64(s []int) []int64 {
	out := make([]int64, len(s))
	for i, d := range s {
		out[i] = int64(d)
	}
	return out
}

// EpochStart implements Progress.
func (b *boardLog) EpochStart(epoch, epochs, steps, done int) {
	b.epoch, b.steps = epoch, steps
	if b.inner != nil {
		b.inner.EpochStart(epoch, epochs, steps, done)
	}
}

// Step implements Progress.
func (b *boardLog) Step(done int, loss, accuracy float64) {
	if done%b.every == 0 && b.err == nil {
		step := int64((b.epoch-1)*b.steps + done)
		if err := b.train.Scalar(TagBatchLoss, step, loss); err != nil {
			b.err = err
		} else if err := b.train.Scalar(TagBatchAccuracy, step, accuracy); err != nil {
			b.err = err
		}
	}
	if b.inner != nil {
		b.inner.Step(done, loss, accuracy)
	}
}

// EpochEnd implements Progress.
func (b *boardLog) EpochEnd(e Epoch) {
	if b.err == nil {
		b.err = b.logEpoch(e)
	}
	if b.inner != nil {
		b.inner.EpochEnd(e)
	}
}

// logEpoch writes an epoch's scalars and syncs both event files.
func (b *boardLog) logEpoch(e Epoch) error {
	step := int64(e.Epoch)
	for _, s := range []struct {
		w   *tboard.Writer
		tag string
		v   float64
	}{
		{b.train, TagEpochLoss, e.Loss}, {b.train, TagEpochAccuracy, e.Accuracy}, {b.train, TagEpochSeconds, e.Seconds},
		{b.val, TagEpochLoss, e.ValLoss}, {b.val, TagEpochAccuracy, e.ValAccuracy},
	} {
		if err := s.w.Scalar(s.tag, step, s.v); err != nil {
			return err
		}
	}
	if err := b.train.Flush(); err != nil {
		return err
	}
	return b.val.Flush()
}

// finish writes the epochs of h that the log lacks (a run killed between
// its checkpoint and its log) and reports the first write error.
func (b *boardLog) finish(h History) error {
	if b.err != nil {
		return b.err
	}
	for _, e := range h.Epochs {
		if err := b.logEpoch(e); err != nil {
			return err
		}
	}
	return nil
}

// Close closes both event files.
func (b *boardLog) Close() error {
	return errors.Join(b.train.Close(), b.val.Close())
}

// writeProjector writes the Embedding Projector's files for the encoding of
// the test images into the train sub-run: the encoding, a metadata row per
// image (label, original class when known, predicted label, whether it is
// right) and the sprite of the images.
func writeProjector(dir string, m *graphs.Model, enc, probs []float32, s dataset.Split) error {
	if s.N == 0 || len(enc)%s.N != 0 {
		return fmt.Errorf("model %s: projector: %d encoding values for %d images", m.Name, len(enc), s.N)
	}
	dims := len(enc) / s.N
	tensor, tensorName := enc, m.Name+"/"+m.Encoding
	if dims > MaxProjectorDims {
		var err error
		if tensor, err = cluster.RandomizedPCA(enc, s.N, dims, ProjectorComponents); err != nil {
			return fmt.Errorf("model %s: projector: %w", m.Name, err)
		}
		dims = len(tensor) / s.N
		tensorName += fmt.Sprintf("_pca%d", dims) // its top dims principal components
	}
	classes := m.Classes()
	names := dataset.Names(classes)
	name := func(c int) string {
		if c < len(names) {
			return names[c]
		}
		return strconv.Itoa(c)
	}
	cols := []string{"label"}
	if s.Original != nil {
		cols = append(cols, "original")
	}
	cols = append(cols, "predicted", "correct")
	rows := make([][]string, s.N)
	for i := range rows {
		pred := argmax(probs[i*classes : (i+1)*classes])
		row := []string{name(s.Labels[i])}
		if s.Original != nil {
			row = append(row, dataset.ClassNames[s.Original[i]])
		}
		rows[i] = append(row, name(pred), strconv.FormatBool(pred == s.Labels[i]))
	}
	return tboard.WriteProjector(filepath.Join(dir, TrainLog), tboard.Embedding{
		Name: tensorName, Tensor: tensor, Rows: s.N, Dims: dims,
		Columns: cols, Metadata: rows,
		Images: s.X, ImageH: dataset.Height, ImageW: dataset.Width,
	})
}

// writeONNX exports the trained weights of p as runs/<model>/model.onnx.
func writeONNX(dir string, m *graphs.Model, p Program) error {
	w, err := p.Weights()
	if err != nil {
		return fmt.Errorf("model %s: onnx export: %w", m.Name, err)
	}
	if err := w.Check(m); err != nil {
		return fmt.Errorf("model %s: onnx export: %w", m.Name, err)
	}
	params := make([][]float32, len(w))
	for i, t := range w {
		params[i] = t.Data
	}
	return onnx.Write(filepath.Join(dir, ONNXFile), m, params)
}
