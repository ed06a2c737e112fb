package liveweb

import (
	"testing"

	"github.com/plenar/plenar/meetings/sfu"
)

// FuzzDecodeMedia: the media message decoder never panics, and what it
// accepts is one of the three types with a checked signal.
func FuzzDecodeMedia(f *testing.F) {
	for _, s := range []string{
		`{"v":1,"type":"media_join","id":"a","kind":"member"}`,
		`{"v":1,"type":"media_leave","id":"b"}`,
		`{"v":1,"type":"media","signal":{"type":"answer","sdp":"v=0\r\n"}}`,
		`{"v":1,"type":"media","signal":{"type":"candidate","candidate":{"candidate":"candidate:1 1 udp 1 127.0.0.1 5000 typ host","sdpMid":"0","sdpMLineIndex":0}}}`,
		`{"v":1,"type":"media","signal":{"type":"candidate"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeMedia(b)
		if err != nil {
			return
		}
		switch m.Type {
		case "media_join":
			if m.Kind != sfu.KindMember && m.Kind != sfu.KindViewer {
				t.Errorf("accepted kind %q", m.Kind)
			}
		case "media_leave":
		case "media":
			if m.Signal == nil || (m.Signal.Type != "answer" && m.Signal.Type != "candidate") || len(m.Signal.SDP) > MaxSDP {
				t.Errorf("accepted signal %+v", m.Signal)
			}
		default:
			t.Errorf("accepted type %q", m.Type)
		}
	})
}
