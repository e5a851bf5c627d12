// Package auth holds roles, API tokens and the actor a request acts as.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/store"
)

// Roles.
const (
	Admin         = "admin"
	Platform      = "platform"
	CivilSociety  = "civil_society"
	Witness       = "witness"
	Public        = "public"
	tokenPrefix   = "candor_"
	tokenByteSize = 32
)

var Roles = model.NewEnum(Admin, Platform, CivilSociety, Witness)

// Actor is who a request or command acts as.
type Actor struct {
	Org     string
	Role    string
	TokenID string
}

// Anonymous reads public records only.
var Anonymous = Actor{Role: Public}

// System is used by the CLI on the operator's own machine (imports, demo data).
var System = Actor{Role: Admin, TokenID: "cli"}

// CanRead lists the visibilities an actor may read besides its own records.
func (a Actor) CanRead() []model.Visibility {
	switch a.Role {
	case Admin:
		return []model.Visibility{model.Public, model.Members, model.Sealed}
	case Platform, CivilSociety, Witness:
		return []model.Visibility{model.Public, model.Members}
	}
	return []model.Visibility{model.Public}
}

// HashToken is how a token is stored: SHA-256 of the secret.
func HashToken(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// NewToken creates a token for org with role and stores its hash; the
// secret is returned once and never kept.
func NewToken(ctx context.Context, s store.Store, org, role, name string) (string, *store.Token, error) {
	if !Roles.Has(role) {
		return "", nil, model.Invalid("role", "%q is not one of %s", role, Roles)
	}
	if org == "" && role != Admin {
		return "", nil, model.Invalid("org", "is required for role %s", role)
	}
	b := make([]byte, tokenByteSize)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	tok := store.Token{ID: ulid.Make().String(), Org: org, Role: role, Name: name, CreatedAt: time.Now().UTC()}
	err := s.InTx(ctx, func(tx store.Tx) error {
		if org != "" {
			if _, err := tx.Current(ctx, "organisations", org); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					return model.Invalid("org", "no organisation with id %s", org)
				}
				return err
			}
		}
		if err := tx.CreateToken(ctx, tok, HashToken(secret)); err != nil {
			return err
		}
		return tx.AddAudit(ctx, []store.AuditEntry{{At: tok.CreatedAt, ActorOrg: org, Action: "token.create",
			Detail: "role=" + role + " token=" + tok.ID}})
	})
	if err != nil {
		return "", nil, err
	}
	return secret, &tok, nil
}

// ErrBadToken means the bearer token is unknown or revoked.
var ErrBadToken = errors.New("unknown or revoked token")

// Authenticate resolves an Authorization header value to an actor.
func Authenticate(ctx context.Context, s store.Store, header string) (Actor, error) {
	if header == "" {
		return Anonymous, nil
	}
	secret, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || !strings.HasPrefix(secret, tokenPrefix) {
		return Anonymous, ErrBadToken
	}
	tok, err := s.TokenByHash(ctx, HashToken(strings.TrimSpace(secret)))
	if errors.Is(err, store.ErrNotFound) || (err == nil && tok.Revoked) {
		return Anonymous, ErrBadToken
	}
	if err != nil {
		return Anonymous, err
	}
	return Actor{Org: tok.Org, Role: tok.Role, TokenID: tok.ID}, nil
}
