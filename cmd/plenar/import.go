package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/plenar/plenar/cmd/plenar/oparlimport"
	"github.com/plenar/plenar/documents"
)

// importOParl runs "plenar import oparl <system-URL>": it checks that the
// URL serves OParl before it opens (and migrates) the database, so a
// wrong URL writes nothing.
func (a *app) importOParl(ctx context.Context, args []string) error {
	var cfg Config
	fs := a.dbFlags("import oparl", &cfg)
	full := fs.Bool("full", false, "read every list completely instead of only what changed since the last run")
	limit := fs.Int("limit", 0, "page size to ask the lists for (0: the server's default)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errFlagParse
	}
	if fs.NArg() != 1 {
		return usagef("usage: plenar import oparl [flags] <system-URL>")
	}
	systemURL := fs.Arg(0)
	opt := oparlimport.Options{Full: *full, Limit: *limit}
	if err := oparlimport.Check(ctx, opt, systemURL); err != nil {
		return err
	}
	db, log, err := a.open(ctx, &cfg, fs)
	if err != nil {
		return err
	}
	defer db.close(ctx)
	opt.DB, opt.Log = db.Pool, log.With("component", "oparl-import")
	opt.Docs = documents.NewStore(db.Pool, cfg.filesDir(), documents.Limits{})
	sum, err := oparlimport.Run(ctx, opt, systemURL)
	if sum != nil {
		fmt.Fprint(a.stdout, sum.String())
	}
	if err != nil && !errors.Is(err, oparlimport.ErrIncomplete) {
		return fmt.Errorf("import %s: %w", systemURL, err)
	}
	return err
}
