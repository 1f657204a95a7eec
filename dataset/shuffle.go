package dataset

import "math/rand/v2"

// Permutation returns a deterministic permutation of 0..n-1 for a seed and
// an epoch, drawn from a math/rand/v2 PCG generator seeded with (seed,
// epoch): the same inputs always give the same permutation, and each epoch
// gets its own. n <= 0 gives an empty permutation.
func Permutation(n int, seed uint64, epoch int) []int {
	if n <= 0 {
		return []int{}
	}
	r := rand.New(rand.NewPCG(seed, uint64(epoch)))
	return r.Perm(n)
}
