// Package cluster analyses a matrix of encodings: principal component
// analysis, k-means, DBSCAN, t-SNE, clustering scores and the discovery of
// sub-classes inside labelled groups.
//
// Every function takes its data as a *mat.Dense x of n rows (samples) by d
// columns (features). Rows are read, never modified. Labels are []int of
// length n, one per row of x. Values must be finite: NaN or ±Inf anywhere in
// x is reported as an error, as are empty matrices and out-of-range
// parameters. No function panics on bad input.
//
// Randomised algorithms take a seed; the same seed and input give the same
// output, independent of GOMAXPROCS and goroutine scheduling.
package cluster
