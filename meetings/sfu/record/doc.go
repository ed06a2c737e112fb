// Package record writes the public programme of a live session to WebM
// files (VP8 video, Opus audio) as the SFU forwards it, without decoding
// or re-encoding: RTP packets are depacketized (pion's samplebuilder) and
// muxed with ebml-go's WebM block writer, with Cues and Duration so that
// browsers can seek (docs/ARCHITECTURE.md, "Recording").
//
// The SFU hands packets over with [Recorder.Offer], which never blocks: it
// copies the packet into a bounded queue and drops (and counts) it when
// the queue is full. One goroutine per Recorder depacketizes and writes.
// A recording is cut into segments by label (an agenda item): when the
// label changes the current file is finished and handed to
// Config.OnSegment, and the next file starts on the next video keyframe.
// An empty label pauses the recording (the non-public part): nothing is
// written until a label is set again.
//
// The package imports pion (rtp, samplebuilder) and ebml-go, nothing of
// Plenar: the SFU owns it, meetings/media stores what it produces.
package record
