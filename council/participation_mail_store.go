package council

import "context"

// MailAddressOf returns user's address and language for a message about
// their own contribution, read in tx: ok is false when the account is
// disabled, deleted or its address unverified (no mail then).
func MailAddressOf(ctx context.Context, tx DBTX, user ID) (to, lang string, ok bool, err error) {
	err = tx.QueryRow(ctx, `SELECT email, lang, email_verified IS NOT NULL AND NOT disabled AND NOT deleted FROM users WHERE id = $1`,
		user).Scan(&to, &lang, &ok)
	if err != nil {
		return "", "", false, TranslateError(err)
	}
	return to, lang, ok && to != "", nil
}
