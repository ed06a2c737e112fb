package sfubench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/plenar/plenar/meetings/sfu"
	"github.com/plenar/plenar/meetings/sfu/sfuclient"
)

// ChildMain runs the load generator when this process was started as one by
// Run, and then exits; otherwise it returns false at once. Call it first
// thing in main (or TestMain) of any executable that calls Run.
func ChildMain() bool {
	v := os.Getenv(childEnv)
	if v == "" {
		return false
	}
	var cc childConfig
	out := &output{enc: json.NewEncoder(os.Stdout)}
	if err := json.Unmarshal([]byte(v), &cc); err != nil {
		out.send(msg{Op: "error", Error: err.Error()})
		os.Exit(2)
	}
	if cc.CPU >= 0 && pinProcess(cc.CPU) == nil {
		runtime.GOMAXPROCS(1)
	}
	if err := runChild(cc, out); err != nil {
		out.send(msg{Op: "error", Error: err.Error()})
		os.Exit(1)
	}
	os.Exit(0)
	return true
}

type output struct {
	mu  sync.Mutex
	enc *json.Encoder
}

func (o *output) send(m msg) {
	o.mu.Lock()
	defer o.mu.Unlock()
	_ = o.enc.Encode(m)
}

// gen is the load generator's state.
type gen struct {
	out     *output
	mu      sync.Mutex
	clients map[string]*sfuclient.Client
	answers map[string]chan string
	stop    chan struct{}
}

func runChild(cc childConfig, out *output) error {
	g := &gen{out: out, clients: map[string]*sfuclient.Client{}, answers: map[string]chan string{}, stop: make(chan struct{})}
	go g.read()
	if cc.Scenario == "c" {
		return g.churn(cc)
	}
	return g.floor(cc)
}

// read dispatches the SFU's messages.
func (g *gen) read() {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m msg
		if json.Unmarshal(sc.Bytes(), &m) != nil {
			continue
		}
		switch m.Op {
		case "signal":
			g.mu.Lock()
			c := g.clients[m.ID]
			g.mu.Unlock()
			if c != nil && m.Signal != nil {
				c.Handle(*m.Signal)
			}
		case "answer":
			g.mu.Lock()
			ch := g.answers[m.ID]
			g.mu.Unlock()
			if ch != nil {
				ch <- m.SDP
			}
		case "stop":
			close(g.stop)
		}
	}
	os.Exit(0) // the SFU process went away
}

// join creates a client and has the SFU join it.
func (g *gen) join(id string, kind sfu.Kind, o sfuclient.Options) (*sfuclient.Client, error) {
	o.Tag = id
	o.Send = func(s sfu.Signal) error {
		g.out.send(msg{Op: "signal", ID: id, Signal: &s})
		return nil
	}
	c, err := sfuclient.New(o)
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	g.clients[id] = c
	g.mu.Unlock()
	g.out.send(msg{Op: "join", ID: id, Kind: kind})
	return c, nil
}

func (g *gen) floor(cc childConfig) error {
	var all []*sfuclient.Client
	var pubs []*sfuclient.Client
	for i := range cc.Publishers {
		video := cc.Scenario == "b" && i == cc.Publishers-1 // the chair's camera
		c, err := g.join(fmt.Sprintf("m%d", i), sfu.KindMember, sfuclient.Options{PublishAudio: true, PublishVideo: video,
			VideoPPS: cc.VideoPPS, VideoSize: cc.VideoSize, KeyframeEvery: 10 * cc.VideoPPS})
		if err != nil {
			return err
		}
		all, pubs = append(all, c), append(pubs, c)
	}
	for i := range cc.Viewers {
		c, err := g.join(fmt.Sprintf("v%d", i), sfu.KindViewer, sfuclient.Options{})
		if err != nil {
			return err
		}
		all = append(all, c)
	}
	if cc.Scenario == "b" {
		c, err := g.whip("room", sfuclient.Options{Tag: "room", PublishVideo: true, VideoPPS: cc.VideoPPS,
			VideoSize: cc.VideoSize, KeyframeEvery: 10 * cc.VideoPPS})
		if err != nil {
			return err
		}
		pubs = append(pubs, c)
		all = append(all, c)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, c := range all {
		if err := c.WaitConnected(ctx); err != nil {
			return err
		}
	}
	pubCtx, stopPub := context.WithCancel(context.Background())
	for _, c := range pubs {
		c.Publish(pubCtx)
	}
	g.out.send(msg{Op: "ready"})
	<-g.stop
	stopPub()
	time.Sleep(time.Second) // packets in flight
	var received, lost uint64
	for _, c := range all {
		for _, st := range c.Tracks() {
			received += st.Packets
			lost += st.Lost
		}
	}
	g.out.send(msg{Op: "result", Received: received, Lost: lost})
	for _, c := range all {
		c.Close()
	}
	return nil
}

// whip publishes through a client offer.
func (g *gen) whip(id string, o sfuclient.Options) (*sfuclient.Client, error) {
	c, err := sfuclient.New(o)
	if err != nil {
		return nil, err
	}
	ch := make(chan string, 1)
	g.mu.Lock()
	g.answers[id] = ch
	g.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	offer, err := c.Offer(ctx)
	if err != nil {
		return nil, err
	}
	g.out.send(msg{Op: "whip", ID: id, SDP: offer})
	select {
	case answer := <-ch:
		return c, c.SetAnswer(answer)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// churn joins and leaves members, 8 at a time.
func (g *gen) churn(cc childConfig) error {
	next := make(chan int)
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range next {
				if err := g.cycle(i); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	var err error
loop:
	for i := range cc.Churn {
		select {
		case next <- i:
		case err = <-errs:
			break loop
		}
	}
	close(next)
	wg.Wait()
	if err != nil {
		return err
	}
	g.out.send(msg{Op: "result"})
	return nil
}

func (g *gen) cycle(i int) error {
	id := fmt.Sprintf("c%d", i)
	c, err := g.join(id, sfu.KindMember, sfuclient.Options{PublishAudio: true})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.WaitConnected(ctx); err != nil {
		return err
	}
	pub, stop := context.WithCancel(ctx)
	c.Publish(pub)
	time.Sleep(100 * time.Millisecond)
	stop()
	g.out.send(msg{Op: "leave", ID: id})
	c.Close()
	g.mu.Lock()
	delete(g.clients, id)
	g.mu.Unlock()
	return nil
}
