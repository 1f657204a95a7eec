//go:build tensorflow

package tensorflow

import (
	"errors"
	"fmt"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"fmnist/graphs"
	"fmnist/tfrunner"
)

// variable is a resource variable with the ops that read and assign it.
type variable struct {
	handle tf.Output     // VarHandleOp
	value  tf.Output     // ReadVariableOp, used by the forward pass
	feed   tf.Output     // placeholder holding a new value
	assign *tf.Operation // AssignVariableOp(handle, feed)
	shape  []int64
}

// newVariable adds a resource variable named name (its shared_name too)
// with its read op and its assign-from-placeholder op.
func newVariable(s *op.Scope, name string, dtype tf.DataType, shape []int) *variable {
	dims := int64s(shape)
	vs := s.SubScope(name)
	v := &variable{shape: dims}
	v.handle = op.VarHandleOp(vs, dtype, tf.MakeShape(dims...), op.VarHandleOpSharedName(name))
	v.value = op.ReadVariableOp(vs, v.handle, dtype)
	v.feed = op.Placeholder(vs, dtype, op.PlaceholderShape(tf.MakeShape(dims...)))
	v.assign = op.AssignVariableOp(vs, v.handle, v.feed)
	return v
}

// param is one trainable tensor (in graphs.Model.ParamSpecs order) with
// its Adam moments.
type param struct {
	spec    graphs.ParamSpec
	w, m, v *variable
	grad    tf.Output // d loss / d w
}

// node is one lowered layer.
type node struct {
	layer        graphs.Layer
	in           tf.Output // the layer's input
	pre          tf.Output // before the activation (the output, for pooling and flatten)
	out          tf.Output // after the activation
	kernel, bias *param    // nil for pooling and flatten
}

// graph is a lowered model: the TensorFlow graph and the handles of
// everything the Program feeds, fetches or runs.
type graph struct {
	g          *tf.Graph
	x          tf.Output // images, float32 [-1, H, W, C]
	labels     tf.Output // int32 [-1]
	nodes      []node
	outputs    map[string]tf.Output // layer name -> its output
	logits     tf.Output            // the last Dense layer before softmax
	probs      tf.Output            // softmax(logits)
	loss       tf.Output            // mean softmax cross-entropy, float32 scalar
	correct    tf.Output            // number of arg-max hits, int32 scalar
	params     []*param
	beta1Power *variable // beta1^t for the next update t (float32)
	beta2Power *variable // beta2^t for the next update t (float32)
	step       *variable // updates done (int64)
	train      []*tf.Operation
	symbolic   bool // gradients from op.Gradients, else built by hand
}

// gradientMode selects how buildGraph makes the backward pass.
type gradientMode int

const (
	// symbolicGradients asks TensorFlow's C++ gradient registry through
	// op.Gradients (TF_AddGradientsWithPrefix).
	symbolicGradients gradientMode = iota
	// manualGradients builds the backward pass layer by layer from
	// ReluGrad, BiasAddGrad, MatMul, Conv2DBackpropInput,
	// Conv2DBackpropFilter, MaxPoolGrad and Reshape.
	manualGradients
)

// gradientError reports that op.Gradients could not differentiate the
// graph; Build then builds the backward pass by hand.
type gradientError struct{ err error }

func (e *gradientError) Error() string { return "symbolic gradients (op.Gradients): " + e.err.Error() }

func (e *gradientError) Unwrap() error { return e.err }

// buildGraph lowers m and its training step to a new TensorFlow graph.
//
// Op names: graft names an op "<scope namespace>/<op type>" and does not
// make it unique (only SubScope names are), so within one scope each op
// type may appear once; every further op of a type gets its own SubScope.
func buildGraph(m *graphs.Model, adam tfrunner.Adam, mode gradientMode) (*graph, error) {
	s := op.NewScope()
	gr := &graph{outputs: map[string]tf.Output{}, symbolic: mode == symbolicGradients}

	in := m.Input
	gr.x = op.Placeholder(s.SubScope("images"), tf.Float,
		op.PlaceholderShape(tf.MakeShape(-1, int64(in[0]), int64(in[1]), int64(in[2]))))
	gr.labels = op.Placeholder(s.SubScope("labels"), tf.Int32, op.PlaceholderShape(tf.MakeShape(-1)))

	// Variables, in ParamSpecs order.
	byKey := map[string]*param{}
	for _, spec := range m.ParamSpecs() {
		p := &param{
			spec: spec,
			w:    newVariable(s, spec.Key(), tf.Float, spec.Shape),
			m:    newVariable(s, spec.Key()+"/adam_m", tf.Float, spec.Shape),
			v:    newVariable(s, spec.Key()+"/adam_v", tf.Float, spec.Shape),
		}
		gr.params = append(gr.params, p)
		byKey[spec.Key()] = p
	}
	gr.beta1Power = newVariable(s, "optimizer/beta1_power", tf.Float, nil)
	gr.beta2Power = newVariable(s, "optimizer/beta2_power", tf.Float, nil)
	gr.step = newVariable(s, "optimizer/iterations", tf.Int64, nil)

	// Forward pass.
	cur := gr.x
	for i, l := range m.Layers {
		ls := s.SubScope(l.LayerName())
		nd := node{layer: l, in: cur}
		last := i == len(m.Layers)-1
		switch l.(type) {
		case *graphs.Conv2D, *graphs.Dense:
			nd.kernel, nd.bias = byKey[l.LayerName()+"/kernel"], byKey[l.LayerName()+"/bias"]
			if nd.kernel == nil || nd.bias == nil {
				return nil, fmt.Errorf("layer %s: kernel or bias missing from the parameter specs", l.LayerName())
			}
		}
		switch l := l.(type) {
		case *graphs.Conv2D:
			conv := op.Conv2D(ls, cur, nd.kernel.w.value, window4(l.Strides()), string(l.Padding),
				op.Conv2DDataFormat("NHWC"))
			nd.pre = op.BiasAdd(ls, conv, nd.bias.w.value, op.BiasAddDataFormat("NHWC"))
			nd.out = activate(ls, nd.pre, l.Activation)
		case *graphs.MaxPool2D:
			nd.pre = op.MaxPool(ls, cur, window4(l.Pool), window4(l.Strides()), string(l.Pad()),
				op.MaxPoolDataFormat("NHWC"))
			nd.out = nd.pre
		case *graphs.Flatten:
			// Row-major reshape of NHWC: the same order as the native engine.
			size := graphs.Shape(m.InputOf(i)).Size()
			nd.pre = op.Reshape(ls, cur, op.Const(ls, []int32{-1, int32(size)}))
			nd.out = nd.pre
		case *graphs.Dense:
			mm := op.MatMul(ls, cur, nd.kernel.w.value)
			nd.pre = op.BiasAdd(ls, mm, nd.bias.w.value)
			if last {
				gr.logits = nd.pre
				nd.out = op.Softmax(ls, nd.pre)
				gr.probs = nd.out
			} else {
				nd.out = activate(ls, nd.pre, l.Activation)
			}
		default:
			return nil, fmt.Errorf("layer %s: type %s is not supported", l.LayerName(), l.Type())
		}
		gr.nodes = append(gr.nodes, nd)
		gr.outputs[l.LayerName()] = nd.out
		cur = nd.out
	}

	// Loss: Keras' categorical cross-entropy, mean over the batch, on the
	// logits (see Program.TrainStep for how it differs from Keras' clipping).
	lossScope := s.SubScope("loss")
	oneHot := op.OneHot(lossScope, gr.labels, op.Const(lossScope.SubScope("depth"), int32(m.Classes())),
		op.Const(lossScope.SubScope("on"), float32(1)), op.Const(lossScope.SubScope("off"), float32(0)))
	xent, backprop := op.SoftmaxCrossEntropyWithLogits(lossScope, gr.logits, oneHot)
	gr.loss = op.Mean(lossScope, xent, op.Const(lossScope.SubScope("batch_axis"), []int32{0}))

	// Accuracy: arg-max of the probabilities (as Keras) against the labels.
	accScope := s.SubScope("accuracy")
	pred := op.ArgMax(accScope, gr.probs, op.Const(accScope.SubScope("class_axis"), int32(1)), op.ArgMaxOutputType(tf.Int32))
	hits := op.Cast(accScope, op.Equal(accScope, pred, gr.labels), tf.Int32)
	gr.correct = op.Sum(accScope, hits, op.Const(accScope.SubScope("batch_axis"), []int32{0}))

	// op.Gradients dereferences its outputs' operations without looking at
	// the scope's error first, so stop here if the forward pass failed.
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("building the forward pass of model %s: %w", m.Name, trimStack(err))
	}

	// Backward pass, with respect to the values read from the variables
	// (not the resource handles), so no gradient of ReadVariableOp is needed.
	switch mode {
	case symbolicGradients:
		xs := make([]tf.Output, len(gr.params))
		for i, p := range gr.params {
			xs[i] = p.w.value
		}
		// op.Gradients refuses scopes with control dependencies or a
		// device; s has neither.
		grads := op.Gradients(s, []tf.Output{gr.loss}, xs)
		if err := s.Err(); err != nil {
			return nil, &gradientError{trimStack(err)}
		}
		if len(grads) != len(gr.params) {
			return nil, &gradientError{fmt.Errorf("got %d gradients for %d parameters", len(grads), len(gr.params))}
		}
		for i, p := range gr.params {
			p.grad = grads[i]
		}
	case manualGradients:
		gr.backward(s.SubScope("backward"), backprop)
	}

	// Adam: one ResourceApplyAdam per parameter, then advance the beta
	// powers and the step counter once every update has run.
	as := s.SubScope("adam")
	lr := op.Const(as.SubScope("learning_rate"), float32(adam.LearningRate))
	b1 := op.Const(as.SubScope("beta1"), float32(adam.Beta1))
	b2 := op.Const(as.SubScope("beta2"), float32(adam.Beta2))
	eps := op.Const(as.SubScope("epsilon"), float32(adam.Epsilon))
	var applies []*tf.Operation
	for _, p := range gr.params {
		applies = append(applies, op.ResourceApplyAdam(as.SubScope(p.spec.Key()), p.w.handle, p.m.handle, p.v.handle,
			gr.beta1Power.value, gr.beta2Power.value, lr, b1, b2, eps, p.grad))
	}
	after := as.WithControlDependencies(applies...)
	advance := func(name string, v *variable, beta tf.Output) *tf.Operation {
		ns := after.SubScope(name)
		return op.AssignVariableOp(ns, v.handle, op.Mul(ns, op.ReadVariableOp(ns, v.handle, tf.Float), beta))
	}
	is := after.SubScope("next_iteration")
	gr.train = append(applies,
		advance("next_beta1_power", gr.beta1Power, b1),
		advance("next_beta2_power", gr.beta2Power, b2),
		op.AssignAddVariableOp(is, gr.step.handle, op.Const(is, int64(1))),
	)

	g, err := s.Finalize()
	if err != nil {
		return nil, fmt.Errorf("building the graph of model %s: %w", m.Name, trimStack(err))
	}
	gr.g = g
	return gr, nil
}

// activate applies a hidden layer's activation.
func activate(s *op.Scope, x tf.Output, a graphs.Activation) tf.Output {
	if a == graphs.ReLU {
		return op.Relu(s, x)
	}
	return x // linear
}

// backward builds the gradients by hand, from the softmax cross-entropy's
// per-example backprop (softmax(logits) - one_hot(labels)) down to the first
// layer, setting every param's grad. It is the fallback for a libtensorflow
// whose C++ gradient registry lacks one of the ops.
func (gr *graph) backward(s *op.Scope, backprop tf.Output) {
	// d mean / d logits = backprop / n.
	n := op.Cast(s, op.Size(s, gr.labels), tf.Float)
	g := op.Div(s, backprop, n)
	for i := len(gr.nodes) - 1; i >= 0; i-- {
		nd := gr.nodes[i]
		ls := s.SubScope(nd.layer.LayerName())
		last := i == len(gr.nodes)-1
		switch l := nd.layer.(type) {
		case *graphs.Dense:
			if !last && l.Activation == graphs.ReLU {
				g = op.ReluGrad(ls, g, nd.pre)
			}
			nd.kernel.grad = op.MatMul(ls.SubScope("kernel_grad"), nd.in, g, op.MatMulTransposeA(true))
			nd.bias.grad = op.BiasAddGrad(ls, g)
			if i > 0 {
				g = op.MatMul(ls.SubScope("input_grad"), g, nd.kernel.w.value, op.MatMulTransposeB(true))
			}
		case *graphs.Conv2D:
			if l.Activation == graphs.ReLU {
				g = op.ReluGrad(ls, g, nd.pre)
			}
			strides := window4(l.Strides())
			pad := string(l.Padding)
			ks := ls.SubScope("kernel_grad")
			nd.kernel.grad = op.Conv2DBackpropFilter(ks, nd.in, op.Const(ks, int32sOf(nd.kernel.spec.Shape)), g, strides, pad)
			nd.bias.grad = op.BiasAddGrad(ls, g, op.BiasAddGradDataFormat("NHWC"))
			if i > 0 {
				is := ls.SubScope("input_grad")
				g = op.Conv2DBackpropInput(is, op.Shape(is, nd.in), nd.kernel.w.value, g, strides, pad)
			}
		case *graphs.MaxPool2D:
			g = op.MaxPoolGrad(ls, nd.in, nd.out, g, window4(l.Pool), window4(l.Strides()), string(l.Pad()))
		case *graphs.Flatten:
			g = op.Reshape(ls, g, op.Shape(ls, nd.in))
		}
	}
}

// int32sOf converts a shape for an int32 shape constant.
func int32sOf(s []int) []int32 {
	out := make([]int32, len(s))
	for i, v := range s {
		out[i] = int32(v)
	}
	return out
}

// trimStack drops the Go stack trace that graft appends to a scope's error
// ("failed to add operation ...: ... (Stacktrace: ...)").
func trimStack(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, " (Stacktrace:"); i >= 0 {
		return errors.New(msg[:i])
	}
	return err
}
