package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/pquerna/otp/totp"

	"github.com/plenar/plenar/council"
)

// generatePassword returns 26 random base32 characters (130 bits).
func generatePassword() string { return rand.Text() }

// newTOTP returns a fresh TOTP secret and its otpauth:// URI (SHA-1, six
// digits, 30 s: what every authenticator app understands).
func newTOTP(email string) (secret, uri string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Plenar", AccountName: email})
	if err != nil {
		return "", "", fmt.Errorf("generate TOTP secret: %w", err)
	}
	return key.Secret(), key.URL(), nil
}

// domainError turns council's invalid-input errors into usage errors.
func domainError(err error) error {
	if errors.Is(err, council.ErrInvalid) {
		return usageError{err.Error()}
	}
	return err
}

func (a *app) userAdd(ctx context.Context, args []string) error {
	var cfg Config
	fs := a.dbFlags("user add", &cfg)
	email := fs.String("email", "", "e-mail address (login name)")
	role := fs.String("role", "", "citizen, member, clerk or admin")
	name := fs.String("name", "", "display name")
	pw := passwordFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	password, err := a.password(pw)
	if err != nil {
		return err
	}
	if *email == "" {
		return usagef("--email is required")
	}
	r := council.Role(*role)
	if !r.Valid() {
		return usagef("--role=%q: want citizen, member, clerk or admin", *role)
	}
	generated := *password == ""
	if generated {
		*password = generatePassword()
	}
	hash, err := council.HashPassword(*password)
	if err != nil {
		return domainError(err)
	}
	db, _, err := a.open(ctx, &cfg, fs)
	if err != nil {
		return err
	}
	defer db.close(ctx)
	u := council.User{Email: *email, DisplayName: *name, PasswordHash: hash, Role: r}
	var uri string
	if r.NeedsTOTP() {
		// Set in the same insert as the account: a staff account never
		// exists without its second factor.
		if u.TOTPSecret, uri, err = newTOTP(*email); err != nil {
			return err
		}
		u.TOTPEnabled = true
	}
	u, err = council.NewStore(db.Pool).CreateUser(ctx, u)
	if errors.Is(err, council.ErrConflict) {
		return fmt.Errorf("an account with e-mail %s already exists: %w", *email, err)
	}
	if err != nil {
		return domainError(err)
	}
	fmt.Fprintf(a.stdout, "Created %s account %s (id %s).\n", u.Role, u.Email, u.ID)
	if generated {
		fmt.Fprintf(a.stdout, "Password:    %s\n", *password)
	}
	if uri != "" {
		fmt.Fprintf(a.stdout, "TOTP secret: %s\nTOTP URI:    %s\n", u.TOTPSecret, uri)
	}
	return nil
}

func (a *app) userList(ctx context.Context, args []string) error {
	var cfg Config
	db, _, err := a.openWith(ctx, "user list", args, &cfg)
	if err != nil {
		return err
	}
	defer db.close(ctx)
	users, err := council.NewStore(db.Pool).Users(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "E-MAIL\tROLE\tNAME\t2FA\tSTATUS\tCREATED")
	for _, u := range users {
		tfa, status := "off", "active"
		if u.TOTPEnabled {
			tfa = "on"
		}
		if u.Disabled {
			status = "disabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Email, u.Role, u.DisplayName, tfa, status, u.Created.Format("2006-01-02"))
	}
	return tw.Flush()
}

// withUser parses --email (plus extra flags), opens the database and runs
// fn on the account.
func (a *app) withUser(ctx context.Context, name string, args []string, extra func(*flag.FlagSet),
	fn func(s *council.Store, u council.User) error) error {
	var cfg Config
	fs := a.dbFlags("user "+name, &cfg)
	email := fs.String("email", "", "e-mail address of the account")
	if extra != nil {
		extra(fs)
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(*email) == "" {
		return usagef("--email is required")
	}
	db, _, err := a.open(ctx, &cfg, fs)
	if err != nil {
		return err
	}
	defer db.close(ctx)
	s := council.NewStore(db.Pool)
	u, err := s.UserByEmail(ctx, *email)
	if errors.Is(err, council.ErrNotFound) {
		return fmt.Errorf("no account with e-mail %s: %w", *email, err)
	}
	if err != nil {
		return err
	}
	return fn(s, u)
}

func (a *app) userResetPassword(ctx context.Context, args []string) error {
	var pw passwordSource
	return a.withUser(ctx, "reset-password", args,
		func(fs *flag.FlagSet) { pw = passwordFlags(fs) },
		func(s *council.Store, u council.User) error {
			password, err := a.password(pw)
			if err != nil {
				return err
			}
			generated := *password == ""
			if generated {
				*password = generatePassword()
			}
			hash, err := council.HashPassword(*password)
			if err != nil {
				return domainError(err)
			}
			if err := s.SetPassword(ctx, u.ID, hash); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "New password set for %s.\n", u.Email)
			if generated {
				fmt.Fprintf(a.stdout, "Password:    %s\n", *password)
			}
			return nil
		})
}

func (a *app) userReset2FA(ctx context.Context, args []string) error {
	return a.withUser(ctx, "reset-2fa", args, nil, func(s *council.Store, u council.User) error {
		secret, uri, err := newTOTP(u.Email)
		if err != nil {
			return err
		}
		if err := s.SetTOTP(ctx, u.ID, secret, true); err != nil {
			return err
		}
		// A passkey is a second factor too (docs/DOMAIN.md, "Account
		// security"): the reset removes them.
		n, err := s.DeletePasskeys(ctx, u.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "New second factor for %s; the old one no longer works.\nTOTP secret: %s\nTOTP URI:    %s\n",
			u.Email, secret, uri)
		if n > 0 {
			fmt.Fprintf(a.stdout, "Passkeys removed: %d\n", n)
		}
		return nil
	})
}

func (a *app) userDisable(ctx context.Context, args []string) error {
	return a.setDisabled(ctx, "disable", args, true)
}

func (a *app) userEnable(ctx context.Context, args []string) error {
	return a.setDisabled(ctx, "enable", args, false)
}

func (a *app) setDisabled(ctx context.Context, name string, args []string, disabled bool) error {
	return a.withUser(ctx, name, args, nil, func(s *council.Store, u council.User) error {
		if err := s.SetUserDisabled(ctx, u.ID, disabled); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "Account %s %sd.\n", u.Email, name)
		return nil
	})
}

// passwordSource is where a user command takes a password from.
type passwordSource struct {
	flag  *string // --password (visible to other users in ps; for scripts on single-user machines)
	stdin *bool   // --password-stdin: the first line of standard input
}

func passwordFlags(fs *flag.FlagSet) passwordSource {
	return passwordSource{
		flag:  fs.String("password", "", "password; visible to other users in ps, prefer --password-stdin (default: generate and print one)"),
		stdin: fs.Bool("password-stdin", false, "read the password from the first line of standard input"),
	}
}

// maxPasswordLine bounds what --password-stdin reads.
const maxPasswordLine = 4096

// password returns the chosen password ("" means: generate one). With
// --password-stdin it reads one line (without its line ending) and
// refuses an empty one.
func (a *app) password(src passwordSource) (*string, error) {
	if !*src.stdin {
		return src.flag, nil
	}
	if *src.flag != "" {
		return nil, usagef("give either --password or --password-stdin, not both")
	}
	if a.stdin == nil {
		return nil, usagef("--password-stdin: no standard input")
	}
	line, err := bufio.NewReaderSize(io.LimitReader(a.stdin, maxPasswordLine+1), maxPasswordLine+1).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read password from standard input: %w", err)
	}
	if len(line) > maxPasswordLine {
		return nil, usagef("--password-stdin: line longer than %d bytes", maxPasswordLine)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return nil, usagef("--password-stdin: standard input holds no password")
	}
	return &line, nil
}
