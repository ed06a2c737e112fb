package documents

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// PublishInvitation renders the public invitation of the meeting with id
// (InvitationPDF) and stores it in fs as the meeting's invitation file
// (role RoleInvitation), public, dated at. When the meeting has an
// invitation file already, the new one is a new version of the latest
// (MasterID), which is kept. Errors: council.ErrNotFound for an unknown
// meeting, and those of InvitationPDF and Store.Upload.
func PublishInvitation(ctx context.Context, cs *council.Store, ms *meetings.Store, fs *Store, id council.ID, at time.Time) (File, error) {
	pdf, err := InvitationPDF(ctx, cs, ms, id, true)
	if err != nil {
		return File{}, err
	}
	link := Link{Kind: LinkMeeting, ID: id, Role: RoleInvitation}
	files, err := fs.Files(ctx, link)
	if err != nil {
		return File{}, fmt.Errorf("publish invitation of %s: %w", id, err)
	}
	f := File{Name: "Einladung", FileName: "einladung.pdf", Date: at, Public: true}
	for _, x := range files { // oldest first: the last invitation is the latest version
		if x.Role == RoleInvitation {
			f.MasterID = x.ID
		}
	}
	stored, err := fs.Upload(ctx, bytes.NewReader(pdf), f, []Link{link})
	if err != nil {
		return File{}, fmt.Errorf("publish invitation of %s: %w", id, err)
	}
	return stored, nil
}
