package tboard

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkWriteProjector writes the projector files of a study run: 10,000
// points of 32 values (model A's encoding), 4 metadata columns and the
// 2800x2800 sprite of 28x28 images.
func BenchmarkWriteProjector(b *testing.B) {
	const rows, dims, pix = 10000, 32, 28 * 28
	rng := rand.New(rand.NewPCG(1, 2))
	e := Embedding{Name: "A/dense_1", Rows: rows, Dims: dims, Columns: []string{"label", "original", "predicted", "correct"},
		Tensor: make([]float32, rows*dims), Images: make([]float32, rows*pix), ImageH: 28, ImageW: 28}
	for i := range e.Tensor {
		e.Tensor[i] = rng.Float32() * 10
	}
	for i := range e.Images {
		e.Images[i] = float32(rng.IntN(256)) / 255
	}
	for range rows {
		e.Metadata = append(e.Metadata, []string{"Trouser/Pullover", "Pullover", "Trouser/Pullover", "true"})
	}
	dir := b.TempDir()
	for b.Loop() {
		if err := WriteProjector(dir, e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScalar appends one scalar event.
func BenchmarkScalar(b *testing.B) {
	w, err := Create(b.TempDir(), false)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	step := int64(0)
	for b.Loop() {
		step++
		if err := w.Scalar("batch_loss", step, 0.5); err != nil {
			b.Fatal(err)
		}
	}
}
