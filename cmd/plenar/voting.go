package main

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"text/tabwriter"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/voting"
)

// votingProfiles returns the Land voting profiles: the built-in ones and
// those configured as JSON files in <data dir>/voting-profiles
// (docs/VOTING.md, "Adding a Land by configuration").
func votingProfiles(cfg Config) (map[string]voting.Profile, error) {
	dir := filepath.Join(cfg.DataDir, "voting-profiles")
	p, err := voting.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("voting profiles in %s: %w", dir, err)
	}
	return p, nil
}

// votingList prints the configured profiles and which body uses which.
func (a *app) votingList(ctx context.Context, args []string) error {
	var cfg Config
	db, _, err := a.openWith(ctx, "voting profiles", args, &cfg)
	if err != nil {
		return err
	}
	defer db.close(ctx)
	profiles, err := votingProfiles(cfg)
	if err != nil {
		return err
	}
	used, err := council.NewStore(db.Pool).VotingProfiles(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CODE\tNAME\tABSTAIN\tRULES\tBODIES")
	for _, code := range slices.Sorted(maps.Keys(profiles)) {
		p := profiles[code]
		n := 0
		for _, c := range used {
			if c == code {
				n++
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%t\t%v\t%d\n", code, p.Name, p.AbstainAllowed, p.Rules, n)
	}
	for id, c := range used {
		if _, ok := profiles[c]; !ok {
			fmt.Fprintf(a.stderr, "warning: body %s uses the profile %q, which is not configured: its sessions cannot start\n", id, c)
		}
	}
	return tw.Flush()
}

// votingSet sets the Land voting profile of one body or all.
func (a *app) votingSet(ctx context.Context, args []string) error {
	var cfg Config
	var code, body string
	fs := a.dbFlags("voting set-profile", &cfg)
	fs.StringVar(&code, "code", "", "the profile's code, e.g. NW, ST, BY, BW")
	fs.StringVar(&body, "body", "", "the body's id; empty: every body")
	if err := parse(fs, args); err != nil {
		return err
	}
	if code == "" {
		return usagef("--code is required (plenar voting profiles lists them)")
	}
	profiles, err := votingProfiles(cfg)
	if err != nil {
		return err
	}
	if _, ok := profiles[code]; !ok {
		return usagef("no voting profile %q; configured: %v", code, slices.Sorted(maps.Keys(profiles)))
	}
	id := council.NilID
	if body != "" {
		if id, err = council.ParseID(body); err != nil {
			return usagef("--body: %v", err)
		}
	}
	db, _, err := a.open(ctx, &cfg, fs)
	if err != nil {
		return err
	}
	defer db.close(ctx)
	if err := council.NewStore(db.Pool).SetVotingProfile(ctx, id, code); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "voting profile %s (%s) set\n", code, profiles[code].Name)
	return nil
}
