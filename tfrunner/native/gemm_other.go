//go:build !amd64 || purego

package native

// availableKernels lists the kernels this build can run: only pure Go.
func availableKernels() []gemmKernel {
	return []gemmKernel{{name: "go", panel: panelGo, width: panelWidth}}
}
