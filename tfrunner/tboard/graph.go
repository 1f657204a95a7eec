package tboard

import (
	"fmt"
	"time"

	attrpb "github.com/wamuir/graft/tensorflow/core/framework/attr_value_go_proto"
	graphpb "github.com/wamuir/graft/tensorflow/core/framework/graph_go_proto"
	nodepb "github.com/wamuir/graft/tensorflow/core/framework/node_def_go_proto"
	shapepb "github.com/wamuir/graft/tensorflow/core/framework/tensor_shape_go_proto"
	eventpb "github.com/wamuir/graft/tensorflow/core/util/event_go_proto"
	"google.golang.org/protobuf/proto"
)

// Node is one operation of a model graph, for TensorBoard's Graphs tab.
type Node struct {
	// Name is "scope/op"; TensorBoard draws the nodes of one scope (a
	// layer) as one box.
	Name   string
	Op     string   // a TensorFlow op name, such as "Conv2D"
	Inputs []string // the names of the nodes feeding it
	// Shape is the output shape, -1 for the batch dimension; nil when
	// unknown. TensorBoard labels the edges with it.
	Shape []int64
}

// outputShapes is the attribute TensorBoard reads edge shapes from.
const outputShapes = "_output_shapes"

// Graph logs nodes as a tensorflow.GraphDef event, unless the directory
// already holds a graph (a resumed run).
func (w *Writer) Graph(nodes []Node) error {
	if w.hasGraph {
		return nil
	}
	g := &graphpb.GraphDef{}
	for _, n := range nodes {
		nd := &nodepb.NodeDef{Name: n.Name, Op: n.Op, Input: n.Inputs}
		if n.Shape != nil {
			s := &shapepb.TensorShapeProto{}
			for _, d := range n.Shape {
				s.Dim = append(s.Dim, &shapepb.TensorShapeProto_Dim{Size: d})
			}
			nd.Attr = map[string]*attrpb.AttrValue{outputShapes: {Value: &attrpb.AttrValue_List{
				List: &attrpb.AttrValue_ListValue{Shape: []*shapepb.TensorShapeProto{s}}}}}
		}
		g.Node = append(g.Node, nd)
	}
	data, err := proto.Marshal(g)
	if err != nil {
		return fmt.Errorf("%s: graph: %w", w.path, err)
	}
	ev := &eventpb.Event{WallTime: wallTime(time.Now()), What: &eventpb.Event_GraphDef{GraphDef: data}}
	if err := w.write(ev); err != nil {
		return err
	}
	w.hasGraph = true
	return nil
}

// ReadGraph returns the last graph logged in dir's event files, or nil.
func ReadGraph(dir string) ([]Node, error) {
	c, err := readDir(dir)
	if err != nil {
		return nil, err
	}
	last := c.graph
	if last == nil {
		return nil, nil
	}
	var g graphpb.GraphDef
	if err := proto.Unmarshal(last, &g); err != nil {
		return nil, fmt.Errorf("%s: graph: %w", dir, err)
	}
	var out []Node
	for _, nd := range g.GetNode() {
		n := Node{Name: nd.GetName(), Op: nd.GetOp(), Inputs: nd.GetInput()}
		if shapes := nd.GetAttr()[outputShapes].GetList().GetShape(); len(shapes) == 1 {
			n.Shape = []int64{}
			for _, d := range shapes[0].GetDim() {
				n.Shape = append(n.Shape, d.GetSize())
			}
		}
		out = append(out, n)
	}
	return out, nil
}
