// Package faulttest holds the fault-injection test of the three commands:
// prepare, train and report are killed (SIGKILL) at seeded random moments,
// rerun, and their final files compared with those of an uninterrupted run.
// It has no code outside its test.
package faulttest
