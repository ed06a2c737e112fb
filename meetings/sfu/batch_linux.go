//go:build linux && (amd64 || arm64)

package sfu

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// batchConn is the shared UDP socket under the ICE UDP mux. While a source
// fans a packet out (hold … release), the datagrams written to the socket
// are queued and sent with one sendmmsg(2) per batchSize; release sends the
// rest. Outside a fan-out (STUN, DTLS, RTCP) a write goes out at once. No
// timer, no goroutine, no allocation per datagram.
//
// Every release flushes, whoever else holds the socket, so a datagram waits
// at most for its own fan-out to end or its batch to fill. (The first
// version of this, reverted in 4417dbc, flushed only when the last
// concurrent fan-out ended and sent through x/net's WriteBatch, a blocking
// syscall: batches of 64 kept the thread in the kernel long enough for the
// runtime to hand its P to another thread, and interleaved fan-outs kept
// datagrams queued; p99 rose to 16–27 ms.)
type batchConn struct {
	*net.UDPConn
	raw  syscall.RawConn
	v4   bool
	errs *atomic.Uint64

	holders atomic.Int32  // fan-outs in progress
	flushes atomic.Uint64 // batches sent

	mu sync.Mutex
	n  int // queued datagrams
	// One sendmmsg call's arguments and results (under mu), for send, the
	// callback of raw.Write made once so a flush allocates nothing.
	off   int
	sent  int
	errno syscall.Errno
	send  func(fd uintptr) bool
	hdrs  [batchSize]mmsghdr
	iovs  [batchSize]unix.Iovec
	addrs [batchSize]unix.RawSockaddrInet6 // large enough for either family
	bufs  [batchSize][batchBuf]byte
}

// batchBuf is the largest datagram that is queued; larger ones (DTLS
// handshake flights) are sent at once.
const batchBuf = mtu + 64

// mmsghdr is struct mmsghdr of linux/amd64 and linux/arm64.
type mmsghdr struct {
	hdr unix.Msghdr
	len uint32
	_   [4]byte
}

func newBatchConn(c *net.UDPConn, errs *atomic.Uint64) (*batchConn, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	b := &batchConn{UDPConn: c, raw: raw, errs: errs}
	b.send = b.sendmmsg
	if a, ok := c.LocalAddr().(*net.UDPAddr); ok && a.IP.To4() != nil {
		b.v4 = true
	}
	for i := range b.hdrs {
		b.iovs[i].Base = &b.bufs[i][0]
		b.hdrs[i].hdr.Iov = &b.iovs[i]
		b.hdrs[i].hdr.Iovlen = 1
		b.hdrs[i].hdr.Name = (*byte)(unsafe.Pointer(&b.addrs[i]))
	}
	return b, nil
}

// hold starts a fan-out: writes are queued until release.
func (b *batchConn) hold() { b.holders.Add(1) }

// release ends a fan-out and sends what is queued.
func (b *batchConn) release() {
	b.holders.Add(-1)
	b.mu.Lock()
	if b.n > 0 {
		b.flushLocked()
	}
	b.mu.Unlock()
}

// ReadFromAddrPort lets the ICE mux read without allocating an address.
func (b *batchConn) ReadFromAddrPort(p []byte) (int, netip.AddrPort, error) {
	return b.UDPConn.ReadFromUDPAddrPort(p)
}

// WriteTo is WriteToAddrPort for a net.Addr.
func (b *batchConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	ua, ok := addr.(*net.UDPAddr)
	if !ok {
		return b.UDPConn.WriteTo(p, addr)
	}
	return b.WriteToAddrPort(p, ua.AddrPort())
}

// WriteToAddrPort queues one datagram during a fan-out, else sends it; the
// ICE mux writes through it.
func (b *batchConn) WriteToAddrPort(p []byte, addr netip.AddrPort) (int, error) {
	if b.holders.Load() == 0 {
		return b.UDPConn.WriteToUDPAddrPort(p, addr)
	}
	b.mu.Lock()
	if len(p) > batchBuf || !b.setAddr(b.n, addr) {
		// Not batchable: keep the order of what is queued.
		if b.n > 0 {
			b.flushLocked()
		}
		b.mu.Unlock()
		return b.UDPConn.WriteToUDPAddrPort(p, addr)
	}
	i := b.n
	b.iovs[i].Len = uint64(copy(b.bufs[i][:], p))
	b.n++
	// A fan-out that ended between the check above and the lock has
	// already flushed: nobody would send this datagram but us.
	if b.n == batchSize || b.holders.Load() == 0 {
		b.flushLocked()
	}
	b.mu.Unlock()
	return len(p), nil
}

// setAddr fills the destination of queued datagram i; false when the
// address does not fit the socket's family.
func (b *batchConn) setAddr(i int, addr netip.AddrPort) bool {
	ip := addr.Addr()
	port := addr.Port()
	if b.v4 {
		if !ip.Is4() && !ip.Is4In6() {
			return false
		}
		sa := (*unix.RawSockaddrInet4)(unsafe.Pointer(&b.addrs[i]))
		sa.Family = unix.AF_INET
		pp := (*[2]byte)(unsafe.Pointer(&sa.Port))
		pp[0], pp[1] = byte(port>>8), byte(port)
		sa.Addr = ip.Unmap().As4()
		b.hdrs[i].hdr.Namelen = unix.SizeofSockaddrInet4
		return true
	}
	sa := &b.addrs[i]
	sa.Family = unix.AF_INET6
	pp := (*[2]byte)(unsafe.Pointer(&sa.Port))
	pp[0], pp[1] = byte(port>>8), byte(port)
	sa.Flowinfo = 0
	sa.Addr = ip.As16()
	sa.Scope_id = 0
	b.hdrs[i].hdr.Namelen = unix.SizeofSockaddrInet6
	return true
}

// flushLocked sends the queued datagrams. A datagram the kernel refuses is
// counted and skipped: UDP is best effort, and its writer has returned.
//
// sendmmsg is issued as a raw system call: the socket is non-blocking (a
// full buffer is EAGAIN, and the runtime's poller waits for room), and a
// batch takes tens of microseconds, so telling the scheduler about it would
// only let it hand this thread's P to another thread mid-fan-out.
func (b *batchConn) flushLocked() {
	for b.off = 0; b.off < b.n; {
		if err := b.raw.Write(b.send); err != nil { // closed
			b.errs.Add(uint64(b.n - b.off))
			break
		}
		if b.errno != 0 || b.sent <= 0 {
			b.errs.Add(1)
			b.sent = 1
		}
		b.off += b.sent
	}
	b.n = 0
	b.flushes.Add(1)
}

// sendmmsg sends the queued datagrams from off on; false asks the runtime
// to wait until the socket is writable.
func (b *batchConn) sendmmsg(fd uintptr) bool {
	r, _, e := syscall.RawSyscall6(unix.SYS_SENDMMSG, fd,
		uintptr(unsafe.Pointer(&b.hdrs[b.off])), uintptr(b.n-b.off), 0, 0, 0)
	if e == syscall.EAGAIN {
		return false
	}
	b.sent, b.errno = int(r), e
	return true
}
