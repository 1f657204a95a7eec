// Package native is fmnist's pure-Go training engine (no cgo): float32
// forward and backward passes of the graphs layers (Conv2D, MaxPool2D,
// Flatten, Dense with linear, ReLU or softmax activation), Keras'
// categorical cross-entropy and Adam. Importing the package registers the
// engine with tfrunner as "native".
//
// # Layout and semantics
//
// Tensors are float32 NHWC; conv kernels are HWIO [kh, kw, in, out], dense
// kernels [in, out], as in TensorFlow, and Flatten is row-major over
// (h, w, c). SAME padding puts the extra pad after (graphs.PadBefore).
//
//   - Loss: the batch mean of -log(clip(p[label], 1e-7, 1-1e-7)) on the
//     softmax output, computed in float64; the gradient with respect to the
//     logits is (p - onehot)/n.
//   - Max pooling: positions in the padding never win. The gradient of a
//     window goes to its first maximum in row-major window order (a later
//     position must be strictly greater), as TensorFlow's CPU kernel does.
//   - ReLU: the gradient passes where the output is > 0.
//   - Adam, as TensorFlow's ResourceApplyAdam and Keras' update_step:
//     t += 1; α = lr·sqrt(1-β2^t)/(1-β1^t) (float64, rounded once);
//     m += (g-m)(1-β1); v += (g²-v)(1-β2); w -= mα/(sqrt(v)+ε), every
//     operation rounded to float32.
//
// # Speed
//
// Convolutions run as im2col + GEMM (im2col transposed for few input
// channels), dense layers as GEMMs on the whole batch, all on a
// register-tiled kernel: AVX-512 (8×32 tiles) or AVX2+FMA (6×16), chosen at
// run time on amd64 with golang.org/x/sys/cpu, or pure Go elsewhere (and
// with the build tag purego). Bias and ReLU are fused into the GEMMs, a
// conv's ReLU mask into the following pool's backward pass, conv and pool
// run image by image through per-worker scratch, and the bias gradient of
// a conv falls out of its kernel-gradient GEMM through a column of ones.
// Every buffer is allocated by Compile: a training step allocates nothing.
// The GEMM and Adam kernels set flush-to-zero and denormals-are-zero while
// they run, as TensorFlow does on CPUs (denormals would otherwise cost
// about 100 cycles per operation, e.g. once Adam's first moment of a dead
// unit decays below 1e-38).
//
// # Threads and determinism
//
// A step runs in parallel phases on Config.Threads goroutines (see
// step.go): the batch is split into chunks of images for the conv and
// pool layers, each dense GEMM into blocks of its output, and the update
// into blocks of each weight gradient, each followed by its Adam update.
// Every value is computed by a single task in a fixed order: per-image
// values never depend on the other images, and a weight gradient sums the
// images (or their per-image shares) in image order. So the same weights
// and batches give bit-identical results across runs and for any number
// of threads. The AVX-512 and AVX2 kernels also agree bit for bit (each
// element is one chain of fused multiply-adds); the pure-Go kernel rounds
// every product separately, so its results differ in the last bits, as
// they do where denormals occur.
//
// FMNIST_NATIVE_KERNEL=go, avx2 or avx512 forces a kernel, for
// comparisons.
package native
