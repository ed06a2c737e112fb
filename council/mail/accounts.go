package mail

import (
	"context"
	"fmt"
	"net/url"

	"github.com/plenar/plenar/council"
)

// VerifyPath is the page a verification link opens; the token follows as
// ?token=.
const VerifyPath = "/verify"

// AccountMailer writes the account messages (council.AccountMailer) into
// the outbox: the verification link and "you already have an account".
type AccountMailer struct {
	Store     *Store
	Templates *Templates
	Site      string // the site's name in the text, e.g. the host
}

// AccountMail renders m's message in its language and queues it in tx.
func (a AccountMailer) AccountMail(ctx context.Context, tx council.DBTX, m council.AccountMail) error {
	msg := Message{To: m.To, Kind: Transactional}
	data := VerifyData{Site: a.Site, Name: m.Name, Days: int(council.VerificationTTL.Hours() / 24)}
	name := TplVerify
	switch m.Kind {
	case council.MailVerify:
		data.Link = a.Store.baseURL + VerifyPath + "?token=" + url.QueryEscape(m.Token)
	case council.MailAccountExists:
		name, data.Link = TplAccountExists, a.Store.baseURL+"/login"
	default:
		return fmt.Errorf("%w: account mail kind %d", council.ErrInvalid, m.Kind)
	}
	if err := a.Templates.Render(&msg, name, m.Lang, data); err != nil {
		return err
	}
	_, err := a.Store.Enqueue(ctx, tx, msg)
	return err
}
