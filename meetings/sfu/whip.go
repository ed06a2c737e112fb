package sfu

import (
	"context"
	"fmt"

	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"

	"github.com/plenar/plenar/council"
)

// Ingest accepts a WHIP offer (RFC 9725) from the room's encoder: its audio
// becomes the room-audio slot and its video the room-video slot. A new
// ingest replaces the previous one. The answer is returned after ICE
// gathering completes. Errors: council.ErrInvalid for an unusable offer,
// council.ErrUnavailable for a closed room.
func (r *Room) Ingest(ctx context.Context, offerSDP string, onState func(State)) (string, *Peer, error) {
	return r.oneShot(ctx, "room", KindRoom, nil, offerSDP, onState)
}

// oneShot makes a one-shot peer of kind named prefix-n, gives it the
// program slots (none for nil), answers its offer and adds it to the room.
func (r *Room) oneShot(ctx context.Context, prefix string, kind Kind, program []string, offerSDP string,
	onState func(State)) (string, *Peer, error) {
	p, err := newPeer(r, fmt.Sprintf("%s-%d", prefix, r.sfu.oneShotIDs.Add(1)), kind, nil, onState)
	if err != nil {
		return "", nil, err
	}
	p.oneShot = true
	if program != nil {
		if err := p.addProgram(program); err != nil {
			p.Close()
			return "", nil, err
		}
	}
	answer, err := p.answerOffer(ctx, offerSDP)
	if err != nil {
		p.Close()
		return "", nil, err
	}
	if err := r.add(p); err != nil {
		p.Close()
		return "", nil, err
	}
	return answer, p, nil
}

// View accepts a WHEP offer: the player's receive-only media sections get
// program slots in this order — audio: room-audio, floor-0, floor-1, …;
// video: room-video, speaker-video — so a player with one audio and one
// video section receives the room's program. Viewers receive nothing while
// the room is not public. Errors as for Ingest.
func (r *Room) View(ctx context.Context, offerSDP string, onState func(State)) (string, *Peer, error) {
	var d sdp.SessionDescription
	if err := d.UnmarshalString(offerSDP); err != nil {
		return "", nil, council.Invalidf("whep offer: %v", err)
	}
	k := r.sfu.cfg.MaxFloor
	audio := []string{slotRoomAudio}
	for _, n := range slotNames(k)[:k] {
		audio = append(audio, n)
	}
	video := []string{slotRoomVideo, slotSpeakerVideo}
	var want []string
	for _, m := range d.MediaDescriptions {
		if _, sendonly := m.Attribute("sendonly"); sendonly {
			continue
		}
		if _, inactive := m.Attribute("inactive"); inactive {
			continue
		}
		switch m.MediaName.Media {
		case "audio":
			if len(audio) > 0 {
				want, audio = append(want, audio[0]), audio[1:]
			}
		case "video":
			if len(video) > 0 {
				want, video = append(want, video[0]), video[1:]
			}
		}
	}
	if len(want) == 0 {
		return "", nil, council.Invalidf("whep offer has no receiving audio or video section")
	}
	return r.oneShot(ctx, "viewer", KindViewer, want, offerSDP, onState)
}

// answerOffer applies a client's offer and returns the answer once ICE
// gathering is complete.
func (p *Peer) answerOffer(ctx context.Context, offerSDP string) (string, error) {
	if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offerSDP}); err != nil {
		return "", council.Invalidf("offer: %v", err)
	}
	answer, err := p.pc.CreateAnswer(nil)
	if err != nil {
		return "", council.Invalidf("answer the offer: %v", err)
	}
	gathered := webrtc.GatheringCompletePromise(p.pc)
	if err := p.pc.SetLocalDescription(answer); err != nil {
		return "", fmt.Errorf("set local description: %w", err)
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	return p.pc.LocalDescription().SDP, nil
}
