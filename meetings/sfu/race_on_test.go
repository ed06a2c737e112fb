//go:build race

package sfu

// raceEnabled: the race detector makes sync.Pool drop items at random, so
// pooled buffers (x/net's sendmmsg scratch) allocate.
const raceEnabled = true
