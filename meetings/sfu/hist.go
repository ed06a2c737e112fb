package sfu

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// histogram is a lock-free log-linear histogram of durations: 4 sub-buckets
// per power of two of nanoseconds (≤ 19 % relative error), one atomic add per
// sample.
type histogram struct {
	b [64 * 4]atomic.Uint64
}

func bucketOf(ns uint64) int {
	if ns < 4 {
		return int(ns)
	}
	e := bits.Len64(ns) - 1 // ns in [2^e, 2^(e+1))
	sub := (ns >> (e - 2)) & 3
	return e*4 + int(sub)
}

// lowerBound is the smallest value in bucket i.
func lowerBound(i int) uint64 {
	if i < 4 {
		return uint64(i)
	}
	e, sub := i/4, uint64(i%4)
	return (1 << e) + sub<<(e-2)
}

func (h *histogram) record(d time.Duration) { h.recordN(d, 1) }

// recordN records n samples of d.
func (h *histogram) recordN(d time.Duration, n uint64) {
	if d < 0 {
		d = 0
	}
	h.b[bucketOf(uint64(d))].Add(n)
}

func (h *histogram) reset() {
	for i := range h.b {
		h.b[i].Store(0)
	}
}

// quantiles returns p50, p99 (each a bucket's midpoint) and the sample count.
func (h *histogram) quantiles() (p50, p99 time.Duration, n uint64) {
	var counts [len(h.b)]uint64
	for i := range h.b {
		counts[i] = h.b[i].Load()
		n += counts[i]
	}
	if n == 0 {
		return 0, 0, 0
	}
	at := func(q float64) time.Duration {
		want := uint64(q*float64(n-1)) + 1
		var sum uint64
		for i, c := range counts {
			sum += c
			if sum >= want {
				lo, hi := lowerBound(i), lowerBound(i+1)
				return time.Duration((lo + hi) / 2)
			}
		}
		return 0
	}
	return at(0.50), at(0.99), n
}
