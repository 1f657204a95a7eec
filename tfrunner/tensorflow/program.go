//go:build tensorflow

package tensorflow

import (
	"bytes"
	"errors"
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"

	"fmnist/graphs"
	"fmnist/tfrunner"
)

// program is one model's graph and session. It implements tfrunner.Program
// and, like every Program, is not safe for concurrent use.
type program struct {
	model    *graphs.Model
	adam     tfrunner.Adam
	maxBatch int // largest batch TrainStep takes (tfrunner.Config.MaxBatch)
	gr       *graph
	sess     *tf.Session
	sizes    map[string]int // layer name -> values per example of its output
	device   string
	closed   bool
}

var errClosed = errors.New("tensorflow: program is closed")

// run runs the session once.
func (p *program) run(feeds map[tf.Output]*tf.Tensor, fetches []tf.Output, targets []*tf.Operation) ([]*tf.Tensor, error) {
	if p.closed {
		return nil, errClosed
	}
	out, err := p.sess.Run(feeds, fetches, targets)
	if err != nil {
		return nil, err
	}
	if len(out) != len(fetches) {
		return nil, fmt.Errorf("session returned %d tensors for %d fetches", len(out), len(fetches))
	}
	return out, nil
}

// TrainStep runs forward, backward and one Adam update on a batch and
// returns the batch's mean loss and number of correct predictions, both
// computed from the weights before the update.
//
// The loss is softmax cross-entropy on the last Dense layer's logits.
// Keras' categorical cross-entropy on probabilities clips them to
// [1e-7, 1-1e-7] before the log; the logits form agrees with it except for
// an example whose true-class probability is below 1e-7 (where Keras'
// per-example loss stops at -log(1e-7) ≈ 16.12 and this one keeps growing)
// or above 1-1e-7 (a difference under 1e-7). Keras 2.15 itself uses the
// cached logits of a softmax output layer for this loss during fit.
func (p *program) TrainStep(x []float32, labels []int) (loss float64, correct int, err error) {
	defer recoverError(&err, "train step")
	n := len(labels)
	if err := tfrunner.CheckBatch(p.model, x, labels, p.maxBatch); err != nil {
		return 0, 0, fmt.Errorf("tensorflow train step: %w", err)
	}
	ys := labelsInt32(labels)
	xt, err := p.images(x, n)
	if err != nil {
		return 0, 0, fmt.Errorf("tensorflow train step: %w", err)
	}
	yt, err := tf.NewTensor(ys)
	if err != nil {
		return 0, 0, fmt.Errorf("tensorflow train step: labels tensor: %w", err)
	}
	out, err := p.run(map[tf.Output]*tf.Tensor{p.gr.x: xt, p.gr.labels: yt},
		[]tf.Output{p.gr.loss, p.gr.correct}, p.gr.train)
	if err != nil {
		return 0, 0, fmt.Errorf("tensorflow train step: %w", err)
	}
	l, ok := out[0].Value().(float32)
	if !ok {
		return 0, 0, fmt.Errorf("tensorflow train step: loss is %T, want float32", out[0].Value())
	}
	c, ok := out[1].Value().(int32)
	if !ok {
		return 0, 0, fmt.Errorf("tensorflow train step: correct count is %T, want int32", out[1].Value())
	}
	return float64(l), int(c), nil
}

// Forward runs the model on n images and returns the named layer's output,
// n rows of the layer's output size (NHWC order for convolution and pooling
// layers). An empty name means the softmax probabilities. No images give
// an empty result.
func (p *program) Forward(x []float32, n int, layer string) (y []float32, err error) {
	defer recoverError(&err, "forward")
	out, size := p.gr.probs, p.model.Classes()
	if layer != "" {
		o, ok := p.gr.outputs[layer]
		if !ok {
			return nil, fmt.Errorf("tensorflow forward: model %s has no layer %q", p.model.Name, layer)
		}
		out, size = o, p.sizes[layer]
	}
	if n == 0 && len(x) == 0 {
		return []float32{}, nil
	}
	if err := tfrunner.CheckImages(p.model, x, n); err != nil {
		return nil, fmt.Errorf("tensorflow forward: %w", err)
	}
	xt, err := p.images(x, n)
	if err != nil {
		return nil, fmt.Errorf("tensorflow forward: %w", err)
	}
	res, err := p.run(map[tf.Output]*tf.Tensor{p.gr.x: xt}, []tf.Output{out}, nil)
	if err != nil {
		return nil, fmt.Errorf("tensorflow forward: %w", err)
	}
	y, err = floats(res[0])
	if err != nil {
		return nil, fmt.Errorf("tensorflow forward: layer %q: %w", layer, err)
	}
	if len(y) != n*size {
		return nil, fmt.Errorf("tensorflow forward: layer %q gave %d values for %d images of size %d", layer, len(y), n, size)
	}
	return y, nil
}

// Weights returns a copy of the current weights in ParamSpecs order.
func (p *program) Weights() (tfrunner.Weights, error) {
	vars := make([]*variable, len(p.gr.params))
	for i, q := range p.gr.params {
		vars[i] = q.w
	}
	w, err := p.read(vars)
	if err != nil {
		return nil, fmt.Errorf("tensorflow weights: %w", err)
	}
	return w, nil
}

// SetWeights replaces the weights; the Adam state is kept.
func (p *program) SetWeights(w tfrunner.Weights) error {
	if err := w.Check(p.model); err != nil {
		return fmt.Errorf("tensorflow set weights: %w", err)
	}
	vars := make([]*variable, len(p.gr.params))
	for i, q := range p.gr.params {
		vars[i] = q.w
	}
	if err := p.write(vars, w, nil); err != nil {
		return fmt.Errorf("tensorflow set weights: %w", err)
	}
	return nil
}

// Optimizer returns a copy of the Adam state: the step count and the first
// and second moments, named like the weights.
func (p *program) Optimizer() (tfrunner.OptimizerState, error) {
	var st tfrunner.OptimizerState
	n := len(p.gr.params)
	vars := make([]*variable, 0, 2*n)
	for _, q := range p.gr.params {
		vars = append(vars, q.m)
	}
	for _, q := range p.gr.params {
		vars = append(vars, q.v)
	}
	mv, err := p.read(vars)
	if err != nil {
		return st, fmt.Errorf("tensorflow optimizer state: %w", err)
	}
	out, err := p.run(nil, []tf.Output{p.gr.step.value}, nil)
	if err != nil {
		return st, fmt.Errorf("tensorflow optimizer state: step: %w", err)
	}
	step, ok := out[0].Value().(int64)
	if !ok {
		return st, fmt.Errorf("tensorflow optimizer state: step is %T, want int64", out[0].Value())
	}
	st.Step, st.M, st.V = step, mv[:n], mv[n:]
	return st, nil
}

// SetOptimizer replaces the Adam state. The beta-power variables are set to
// beta^(step+1), the values the next update uses.
func (p *program) SetOptimizer(st tfrunner.OptimizerState) error {
	if st.Step < 0 {
		return fmt.Errorf("tensorflow set optimizer: negative step %d", st.Step)
	}
	if err := st.M.Check(p.model); err != nil {
		return fmt.Errorf("tensorflow set optimizer: first moments: %w", err)
	}
	if err := st.V.Check(p.model); err != nil {
		return fmt.Errorf("tensorflow set optimizer: second moments: %w", err)
	}
	var vars []*variable
	var vals tfrunner.Weights
	for i, q := range p.gr.params {
		vars = append(vars, q.m, q.v)
		vals = append(vals, st.M[i], st.V[i])
	}
	b1, b2 := betaPowers(p.adam, st.Step)
	extra := map[*variable]any{p.gr.beta1Power: b1, p.gr.beta2Power: b2, p.gr.step: st.Step}
	if err := p.write(vars, vals, extra); err != nil {
		return fmt.Errorf("tensorflow set optimizer: %w", err)
	}
	return nil
}

// Device names where the graph runs: "/device:GPU:0" when the session has
// a GPU, else "/device:CPU:0".
func (p *program) Device() string { return p.device }

// Close releases the session. Closing twice is allowed.
func (p *program) Close() error {
	if p.closed {
		return nil
	}
	p.closed = true
	if err := p.sess.Close(); err != nil {
		return fmt.Errorf("tensorflow: close session: %w", err)
	}
	return nil
}

// images makes the [n, H, W, C] float32 input tensor.
func (p *program) images(x []float32, n int) (*tf.Tensor, error) {
	in := p.model.Input
	return floatTensor(x, []int64{int64(n), int64(in[0]), int64(in[1]), int64(in[2])})
}

// read fetches variables as float32 tensors named after their parameters.
func (p *program) read(vars []*variable) (tfrunner.Weights, error) {
	fetches := make([]tf.Output, len(vars))
	for i, v := range vars {
		fetches[i] = v.value
	}
	out, err := p.run(nil, fetches, nil)
	if err != nil {
		return nil, err
	}
	// vars are one variable per ParamSpec, repeated (weights; or first then
	// second moments), so i%len(specs) is the spec of vars[i].
	specs := p.model.ParamSpecs()
	w := make(tfrunner.Weights, len(vars))
	for i, t := range out {
		data, err := floats(t)
		if err != nil {
			return nil, fmt.Errorf("variable %d: %w", i, err)
		}
		spec := specs[i%len(specs)]
		if len(data) != spec.Size() {
			return nil, fmt.Errorf("variable %s holds %d values, want %d", spec.Key(), len(data), spec.Size())
		}
		w[i] = tfrunner.Tensor{Name: spec.Key(), Shape: append([]int(nil), spec.Shape...), Data: data}
	}
	return w, nil
}

// write assigns vals to vars, and the scalars in extra to theirs, in one
// session run.
func (p *program) write(vars []*variable, vals tfrunner.Weights, extra map[*variable]any) error {
	feeds := map[tf.Output]*tf.Tensor{}
	var targets []*tf.Operation
	for i, v := range vars {
		t, err := floatTensor(vals[i].Data, v.shape)
		if err != nil {
			return fmt.Errorf("%s: %w", vals[i].Name, err)
		}
		feeds[v.feed] = t
		targets = append(targets, v.assign)
	}
	for v, val := range extra {
		t, err := tf.NewTensor(val)
		if err != nil {
			return fmt.Errorf("scalar tensor: %w", err)
		}
		feeds[v.feed] = t
		targets = append(targets, v.assign)
	}
	_, err := p.run(feeds, nil, targets)
	return err
}

// floatTensor makes a float32 tensor of the given shape from data (which
// TensorFlow copies).
func floatTensor(data []float32, shape []int64) (*tf.Tensor, error) {
	n := int64(1)
	for _, d := range shape {
		n *= d
	}
	if int64(len(data)) != n {
		return nil, fmt.Errorf("%d values for shape %v", len(data), shape)
	}
	t, err := tf.NewTensor(data)
	if err != nil {
		return nil, fmt.Errorf("float32 tensor: %w", err)
	}
	if len(shape) != 1 {
		if err := t.Reshape(shape); err != nil {
			return nil, fmt.Errorf("float32 tensor: reshape to %v: %w", shape, err)
		}
	}
	return t, nil
}

// floats returns a float32 tensor's values in row-major order.
func floats(t *tf.Tensor) ([]float32, error) {
	if t.DataType() != tf.Float {
		return nil, fmt.Errorf("tensor has data type %v, want float32", t.DataType())
	}
	var buf bytes.Buffer
	if _, err := t.WriteContentsTo(&buf); err != nil {
		return nil, fmt.Errorf("reading tensor: %w", err)
	}
	return decodeFloat32s(buf.Bytes())
}
