package sfu

import (
	"net"
	"sync"
	"sync/atomic"

	"github.com/pion/transport/v5"
	"github.com/pion/transport/v5/stdnet"
)

// batchSize is the most datagrams one sendmmsg(2) call carries. A datagram
// of a fan-out waits for at most batchSize-1 others before it leaves; on a
// loopback test bed one batched datagram costs the sending thread ~1.8 µs
// of kernel time instead of ~4.3 µs for a sendto(2) of its own.
const batchSize = 32

// batchNet is the network the ICE UDP mux listens on: the standard one,
// with every listening socket wrapped in a batchConn where the platform
// has sendmmsg.
type batchNet struct {
	*stdnet.Net
	errs *atomic.Uint64

	mu    sync.Mutex
	conns []*batchConn
}

func newBatchNet(errs *atomic.Uint64) (*batchNet, error) {
	n, err := stdnet.NewNet()
	if err != nil {
		return nil, err
	}
	return &batchNet{Net: n, errs: errs}, nil
}

// ListenUDP opens one of the mux's sockets.
func (n *batchNet) ListenUDP(network string, laddr *net.UDPAddr) (transport.UDPConn, error) {
	c, err := net.ListenUDP(network, laddr)
	if err != nil {
		return nil, err
	}
	bc, err := newBatchConn(c, n.errs)
	if err != nil {
		_ = c.Close()
		return nil, err
	}
	if bc == nil { // no sendmmsg here: the plain socket
		return c, nil
	}
	n.mu.Lock()
	n.conns = append(n.conns, bc)
	n.mu.Unlock()
	return bc, nil
}

// sockets returns the batching sockets opened so far.
func (n *batchNet) sockets() []*batchConn {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]*batchConn(nil), n.conns...)
}

// fanOut brackets one packet's fan-out on the SFU's batching sockets: the
// datagrams written between begin and end leave in sendmmsg batches, and
// the caller learns when they have left, for the latency histogram.
type fanOut []*batchConn

func (f fanOut) begin() {
	for _, b := range f {
		b.hold()
	}
}

// end sends what is still queued.
func (f fanOut) end() {
	for _, b := range f {
		b.release()
	}
}

// sent counts the batches sent so far: when it changes, every datagram
// queued before has left.
func (f fanOut) sent() (n uint64) {
	for _, b := range f {
		n += b.flushes.Load()
	}
	return n
}
