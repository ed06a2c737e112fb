package sfu

// Renegotiate asks for a new offer, as a change of the peer's transceivers
// would (tests only).
func (p *Peer) Renegotiate() { p.negotiate() }

// PLIMinInterval is the least time between two keyframe requests to one
// source (tests only).
const PLIMinInterval = pliMinInterval
