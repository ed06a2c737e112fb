// Command gendemo makes the demo city's recorded session
// (cmd/plenar/demo/recording/*.webm): Chromium draws a test pattern per
// agenda item (the item's number, a moving bar and a clock) with a tone,
// and records it with MediaRecorder (VP8/Opus); the frames are then
// packetized as RTP and written by Plenar's own recorder, one segment per
// item, exactly as a live session is recorded (docs/ARCHITECTURE.md,
// "Recording"). Run it from the repository root:
//
//	go run ./meetings/sfu/record/gendemo -out cmd/plenar/demo/recording
//
// It needs Chromium (PLENAR_CHROMIUM or chromium on PATH) and no network.
package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plenar/plenar/meetings/sfu/record"
)

// script records one clip per label and resolves to their base64 WebM.
const script = `(async (labels, ms) => {
  const c = document.createElement('canvas'); c.width = 320; c.height = 180;
  document.body.appendChild(c);
  const g = c.getContext('2d');
  const ac = new AudioContext();
  const dest = ac.createMediaStreamDestination();
  const out = [];
  for (let i = 0; i < labels.length; i++) {
    const osc = ac.createOscillator(); osc.frequency.value = 330 + 110 * i;
    const gain = ac.createGain(); gain.gain.value = 0.2;
    osc.connect(gain).connect(dest); osc.start();
    const stream = new MediaStream([...c.captureStream(25).getVideoTracks(), ...dest.stream.getAudioTracks()]);
    const rec = new MediaRecorder(stream, {mimeType: 'video/webm;codecs=vp8,opus', videoBitsPerSecond: 200000, audioBitsPerSecond: 32000});
    const chunks = [];
    rec.ondataavailable = e => chunks.push(e.data);
    const t0 = performance.now();
    const draw = setInterval(() => {
      const t = (performance.now() - t0) / 1000;
      g.fillStyle = ['#1f4e79', '#2e6b30', '#7a3b12', '#5b2a6e'][i % 4]; g.fillRect(0, 0, 320, 180);
      g.fillStyle = '#fff'; g.font = 'bold 40px sans-serif'; g.fillText(labels[i], 20, 80);
      g.font = '20px monospace'; g.fillText(t.toFixed(1) + ' s', 20, 130);
      g.fillRect((t * 80) % 320, 150, 40, 20);
    }, 40);
    const done = new Promise(r => rec.onstop = r);
    rec.start();
    await new Promise(r => setTimeout(r, ms));
    rec.stop(); await done; clearInterval(draw); osc.stop(); osc.disconnect();
    const buf = new Uint8Array(await new Blob(chunks).arrayBuffer());
    let s = ''; for (const b of buf) s += String.fromCharCode(b);
    out.push(btoa(s));
  }
  return out;
})`

func main() {
	out := flag.String("out", "cmd/plenar/demo/recording", "folder for the segments")
	seconds := flag.Int("seconds", 4, "seconds per item")
	flag.Parse()
	if err := run(*out, *seconds); err != nil {
		fmt.Fprintln(os.Stderr, "gendemo:", err)
		os.Exit(1)
	}
}

func run(out string, seconds int) error {
	labels := []string{"TOP 1", "TOP 2", "TOP 3"}
	clips, err := recordClips(labels, seconds)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o750); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "gendemo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	var mu sync.Mutex
	var segs []record.Segment
	rec := record.New(record.Config{Dir: tmp, Log: slog.Default(), OnSegment: func(s record.Segment) {
		mu.Lock()
		segs = append(segs, s)
		mu.Unlock()
	}})
	var p record.Packetizer
	for i, clip := range clips {
		f, err := record.Parse(bytes.NewReader(clip))
		if err != nil {
			return fmt.Errorf("clip %d: %w", i+1, err)
		}
		rec.SetLabel(fmt.Sprintf("%d", i+1))
		for _, pk := range p.Packets(f.Frames) {
			for !rec.Offer(pk.Video, &pk.RTP.Header, pk.RTP.Payload) {
				time.Sleep(time.Millisecond) // the queue is full: the writer catches up
			}
		}
	}
	rec.Close()
	for _, s := range segs {
		dst := filepath.Join(out, "top-"+s.Label+".webm")
		if err := copyFile(s.Path, dst); err != nil {
			return err
		}
		fmt.Printf("%s: %v, %d bytes, %dx%d, %d video and %d audio frames\n", dst, s.Duration, s.Size, s.Width, s.Height, s.VideoFrames, s.AudioFrames)
	}
	return nil
}

func recordClips(labels []string, seconds int) ([][]byte, error) {
	path := os.Getenv("PLENAR_CHROMIUM")
	if path == "" {
		p, err := exec.LookPath("chromium")
		if err != nil {
			return nil, fmt.Errorf("no chromium: %w", err)
		}
		path = p
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), chromedp.ExecPath(path),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"), chromedp.Flag("disable-background-networking", true))
	defer cancel()
	ctx, cancel2 := chromedp.NewContext(actx)
	defer cancel2()
	ctx, cancel3 := context.WithTimeout(ctx, time.Duration(len(labels)*seconds+60)*time.Second)
	defer cancel3()
	call := fmt.Sprintf("%s(%s, %d)", script, jsonStrings(labels), seconds*1000)
	if _, err := chromedp.Run(ctx, chromedp.Navigate("about:blank")); err != nil {
		return nil, fmt.Errorf("start chromium: %w", err)
	}
	b64, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](call, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("record in chromium: %w", err)
	}
	var clips [][]byte
	for _, s := range b64 {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, err
		}
		clips = append(clips, b)
	}
	return clips, nil
}

func jsonStrings(ss []string) string {
	out := "["
	for i, s := range ss {
		if i > 0 {
			out += ","
		}
		out += fmt.Sprintf("%q", s)
	}
	return out + "]"
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	o, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(o, in); err != nil {
		o.Close()
		return err
	}
	return o.Close()
}
