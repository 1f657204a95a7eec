// Package faulttest holds the fault-injection test of the three commands:
// prepare, train and report are killed (SIGKILL) at seeded random moments,
// rerun, and their final files compared with those of an uninterrupted run;
// a report killed while it replaces an earlier one must leave one of the
// two whole. It has no code outside its test.
package faulttest
