package voting

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
)

// DrawLots draws lots among the ids in among with the published seed:
// Order is among sorted ascending by the lowercase hex SHA-256 of
// seed + ":" + id (equal hashes, impossible in practice, by id). Anyone
// can recompute it (docs/VOTING.md, "Drawing lots"):
//
//	printf '%s' "$seed:$id" | sha256sum
//
// for each id and sort the lines. The first in Order wins the draw. among
// is copied, not modified.
func DrawLots(seed string, among []string) Draw {
	type keyed struct{ key, id string }
	ks := make([]keyed, len(among))
	for i, id := range among {
		h := sha256.Sum256([]byte(seed + ":" + id))
		ks[i] = keyed{hex.EncodeToString(h[:]), id}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	d := Draw{Seed: seed, Among: slices.Clone(among), Order: make([]string, len(ks))}
	for i, k := range ks {
		d.Order[i] = k.id
	}
	return d
}
