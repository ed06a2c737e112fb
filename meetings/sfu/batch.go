package sfu

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/pion/transport/v5"
	"github.com/pion/transport/v5/stdnet"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// batchSize is the most datagrams one sendmmsg call carries. A packet waits
// for at most batchSize-1 others of the same fan-out before it is sent.
const batchSize = 64

// socketBuffer is the send and receive buffer asked for on the shared UDP
// port (the kernel caps it at net.core.[rw]mem_max): every peer's traffic
// goes through the one socket, so a short stall of the SFU must not
// overflow it.
const socketBuffer = 4 << 20

// batchConn is the shared UDP socket under the ICE UDP mux. While a source
// fans a packet out (hold … release), the datagrams written to the socket
// are queued and then sent with one sendmmsg(2) per batchSize instead of one
// sendto(2) each; outside a fan-out (STUN, DTLS, RTCP) a write is sent at
// once. A queued datagram waits at most until the last concurrent fan-out
// ends or the batch is full, so no timer and no extra goroutine are needed.
type batchConn struct {
	*net.UDPConn
	bw interface {
		WriteBatch([]ipv4.Message, int) (int, error)
	}

	holders atomic.Int32  // fan-outs in progress
	flushes atomic.Uint64 // sendmmsg rounds so far: a fan-out sees its datagrams leave
	errs    *atomic.Uint64

	mu    sync.Mutex
	n     int // queued datagrams
	msgs  []ipv4.Message
	bufs  [][]byte
	addrs []net.UDPAddr
}

func newBatchConn(c *net.UDPConn, errs *atomic.Uint64) *batchConn {
	b := &batchConn{UDPConn: c, errs: errs, msgs: make([]ipv4.Message, batchSize),
		bufs: make([][]byte, batchSize), addrs: make([]net.UDPAddr, batchSize)}
	if a, ok := c.LocalAddr().(*net.UDPAddr); ok && a.IP.To4() == nil {
		b.bw = ipv6.NewPacketConn(c)
	} else {
		b.bw = ipv4.NewPacketConn(c)
	}
	for i := range b.msgs {
		b.bufs[i] = make([]byte, mtu)
		b.addrs[i].IP = make(net.IP, 0, net.IPv6len)
		b.msgs[i].Buffers = make([][]byte, 1)
		b.msgs[i].Addr = &b.addrs[i]
	}
	_ = c.SetReadBuffer(socketBuffer)
	_ = c.SetWriteBuffer(socketBuffer)
	return b
}

// hold starts a fan-out: writes are queued until release.
func (b *batchConn) hold() { b.holders.Add(1) }

// release ends a fan-out; the last one sends what is queued.
func (b *batchConn) release() {
	if b.holders.Add(-1) > 0 {
		return
	}
	b.mu.Lock()
	b.flushLocked()
	b.mu.Unlock()
}

// ReadFromAddrPort lets the ICE mux read without allocating an address.
func (b *batchConn) ReadFromAddrPort(p []byte) (int, netip.AddrPort, error) {
	return b.UDPConn.ReadFromUDPAddrPort(p)
}

// WriteToAddrPort queues (or sends) one datagram; the ICE mux writes through it.
func (b *batchConn) WriteToAddrPort(p []byte, addr netip.AddrPort) (int, error) {
	if len(p) > mtu {
		return b.UDPConn.WriteToUDPAddrPort(p, addr)
	}
	b.mu.Lock()
	i := b.n
	a := &b.addrs[i]
	ip := addr.Addr()
	if ip.Is4() || ip.Is4In6() {
		v4 := ip.Unmap().As4()
		a.IP = append(a.IP[:0], v4[:]...)
	} else {
		v6 := ip.As16()
		a.IP = append(a.IP[:0], v6[:]...)
	}
	a.Port = int(addr.Port())
	b.msgs[i].Buffers[0] = b.bufs[i][:copy(b.bufs[i], p)]
	b.n++
	if b.n == batchSize || b.holders.Load() == 0 {
		b.flushLocked()
	}
	b.mu.Unlock()
	return len(p), nil
}

// WriteTo is WriteToAddrPort for a net.Addr.
func (b *batchConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	ua, ok := addr.(*net.UDPAddr)
	if !ok {
		return b.UDPConn.WriteTo(p, addr)
	}
	return b.WriteToAddrPort(p, ua.AddrPort())
}

// flushLocked sends the queued datagrams. A datagram the kernel refuses is
// counted and skipped: UDP is best effort, and its writer has returned.
func (b *batchConn) flushLocked() {
	for i := 0; i < b.n; {
		n, err := b.bw.WriteBatch(b.msgs[i:b.n], 0)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				break
			}
			b.errs.Add(1)
			n = 1
		}
		i += n
	}
	b.n = 0
	b.flushes.Add(1)
}

// batchNet is the network the ICE UDP mux listens on: the standard one, with
// every listening socket wrapped in a batchConn.
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
	bc := newBatchConn(c, n.errs)
	n.mu.Lock()
	n.conns = append(n.conns, bc)
	n.mu.Unlock()
	return bc, nil
}

// sockets returns the batching sockets opened so far.
func (n *batchNet) sockets() []*batchConn {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.conns
}
