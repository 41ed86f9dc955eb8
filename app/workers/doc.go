// Package workers runs a use case's per-item work (the accounts of an import, the
// children of a parent) on a bounded number of goroutines, stopping at the first
// error, and runs the use cases' background rounds (Every).
package workers
