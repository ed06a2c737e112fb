//go:build !(linux && (amd64 || arm64))

package sfu

import (
	"net"
	"sync/atomic"
)

// batchConn batches nothing where sendmmsg is not available: the ICE mux
// gets the plain socket (newBatchConn returns nil) and fan-outs write one
// datagram at a time.
type batchConn struct {
	flushes atomic.Uint64
}

func newBatchConn(*net.UDPConn, *atomic.Uint64) (*batchConn, error) { return nil, nil }

func (b *batchConn) hold()    {}
func (b *batchConn) release() {}
