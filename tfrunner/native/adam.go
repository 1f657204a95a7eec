package native

import (
	"math"

	"fmnist/tfrunner"
)

// adamStep holds the float32 constants of one Adam update.
type adamStep struct {
	alpha      float32 // lr·sqrt(1-β2^t)/(1-β1^t)
	oneMinusB1 float32 // 1-β1
	oneMinusB2 float32 // 1-β2
	eps        float32
}

// newAdamStep returns the constants of update number t (1-based). alpha is
// computed in float64 and rounded once.
func newAdamStep(h tfrunner.Adam, t int64) adamStep {
	ft := float64(t)
	alpha := h.LearningRate * math.Sqrt(1-math.Pow(h.Beta2, ft)) / (1 - math.Pow(h.Beta1, ft))
	return adamStep{
		alpha:      float32(alpha),
		oneMinusB1: float32(1 - h.Beta1),
		oneMinusB2: float32(1 - h.Beta2),
		eps:        float32(h.Epsilon),
	}
}

// adamGo applies one update in the form of TensorFlow's ResourceApplyAdam
// kernel (and Keras' Adam.update_step):
//
//	m += (g - m)·(1-β1)
//	v += (g² - v)·(1-β2)
//	w -= (m·alpha) / (sqrt(v) + ε)
//
// which is m = β1·m + (1-β1)·g etc. up to float32 rounding. Every operation
// is rounded to float32 (no fused multiply-add), so the SIMD version gives
// the same bits.
func adamGo(w, g, m, v []float32, s adamStep) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	for i := range w {
		gi := g[i]
		mi := m[i] + float32((gi-m[i])*s.oneMinusB1)
		vi := v[i] + float32((float32(gi*gi)-v[i])*s.oneMinusB2)
		m[i], v[i] = mi, vi
		w[i] -= float32(mi*s.alpha) / (float32(math.Sqrt(float64(vi))) + s.eps)
	}
}
