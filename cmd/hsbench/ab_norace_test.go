//go:build !race

package main

// raceBuild is true under the race detector, where a run's per-step
// bookkeeping (histogram encoding) costs seconds.
const raceBuild = false
