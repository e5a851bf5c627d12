package cli

import (
	"context"
	"fmt"

	"github.com/candor-observatory/candor/internal/app"

	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/store"
)

func runToken(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("usage: candor token create --org ORG --role admin|platform|civil_society|witness [--name NAME] [--db DSN]")
	}
	fs := NewFlags(env, "token create", "--org ORG --role ROLE [--name NAME]")
	db := DBFlag(fs)
	org := fs.String("org", "", "organisation id or slug the token acts for")
	role := fs.String("role", "", "admin, platform, civil_society or witness")
	name := fs.String("name", "", "a label for the token")
	if err := Parse(fs, env, args[1:]); err != nil {
		return err
	}
	s, err := app.OpenStore(ctx, *db)
	if err != nil {
		return err
	}
	defer s.Close()
	id, err := resolveOrg(ctx, s, *org)
	if err != nil {
		return err
	}
	secret, tok, err := auth.NewToken(ctx, s, id, *role, *name)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "token %s for organisation %s, role %s; it is shown once and stored only as a hash:\n", tok.ID, id, tok.Role)
	fmt.Fprintln(env.Stdout, secret)
	return nil
}

// resolveOrg accepts an organisation id or its slug.
func resolveOrg(ctx context.Context, s store.Store, org string) (string, error) {
	if org == "" {
		return "", nil
	}
	if _, err := s.Get(ctx, "organisations", org, 0); err == nil {
		return org, nil
	}
	page, err := s.List(ctx, store.Query{Collection: "organisations", SourceID: org, Limit: 2,
		Visibility: auth.System.CanRead()})
	if err != nil {
		return "", err
	}
	if len(page.Rows) == 1 {
		return page.Rows[0].ID, nil
	}
	return "", fmt.Errorf("--org: no organisation with id or slug %q", org)
}
