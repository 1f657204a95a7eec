package native

import "math"

// Probability clipping of Keras' categorical cross-entropy.
const (
	probMin = 1e-7
	probMax = 1 - 1e-7
)

// softmaxRows replaces each row of logits (rows×k) by its softmax,
// computed in float64 with the row maximum subtracted.
func softmaxRows(z []float32, rows, k int) {
	for r := range rows {
		row := z[r*k : (r+1)*k]
		mx := row[0]
		for _, v := range row {
			mx = max(mx, v)
		}
		var sum float64
		for _, v := range row {
			sum += math.Exp(float64(v - mx))
		}
		for j, v := range row {
			row[j] = float32(math.Exp(float64(v-mx)) / sum)
		}
	}
}

// crossEntropy scores probability rows against labels: per row it stores
// -log(clip(p[label])) in loss and whether the first arg-max is the label in
// correct, and sets grad = (p - onehot)/batch, the gradient of the batch's
// mean loss with respect to the logits.
func crossEntropy(p []float32, labels []int, k, batch int, loss []float64, correct []bool, grad []float32) {
	nb := float32(batch)
	for r, y := range labels {
		row := p[r*k : (r+1)*k]
		pt := min(max(float64(row[y]), probMin), probMax)
		loss[r] = -math.Log(pt)
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		correct[r] = best == y
		g := grad[r*k : (r+1)*k]
		for j, v := range row {
			if j == y {
				v--
			}
			g[j] = v / nb
		}
	}
}
