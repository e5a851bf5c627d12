package cases_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/auth"
	"github.com/candor-observatory/candor/internal/cases"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/store"
	"github.com/candor-observatory/candor/internal/store/storetest"
)

type benchWorld struct {
	svc      *cases.Service
	reg      *registry.Registry
	group    auth.Actor
	platform auth.Actor
	sealed   string
	keys     []string
}

func newBenchWorld(b *testing.B, s store.Store) *benchWorld {
	ctx := context.Background()
	reg := registry.New(s)
	handler, _ := cases.GenerateIdentity()
	own, _ := cases.GenerateIdentity()
	mk := func(o *model.Organisation) string {
		o.Sources = []model.Source{{URL: "https://example.org/" + o.Slug}}
		res, err := reg.Create(ctx, auth.System, o)
		if err != nil {
			b.Fatal(err)
		}
		return res.ID
	}
	x := mk(&model.Organisation{Name: "X", Kind: "platform", PlatformType: "social_media", Slug: "x", Recipients: []string{handler.Recipient().String()}})
	g := mk(&model.Organisation{Name: "G", Kind: "civil_society", Slug: "g", Recipients: []string{own.Recipient().String()}})
	w := &benchWorld{svc: cases.NewService(s, reg), reg: reg, group: auth.Actor{Org: g, Role: auth.CivilSociety, TokenID: "b"},
		platform: auth.Actor{Org: x, Role: auth.Platform, TokenID: "b"},
		keys:     []string{handler.Recipient().String(), own.Recipient().String()}}
	var err error
	if w.sealed, err = cases.SealJSON(cases.Details{Text: "details"}, w.keys); err != nil {
		b.Fatal(err)
	}
	return w
}

func (w *benchWorld) req(i int) cases.FileRequest {
	return cases.FileRequest{AddressedTo: w.platform.Org, Kind: model.CaseKinds.Values()[i%8], Country: []string{"TR", "VN"}[i%2],
		Urgency: "urgent", Summary: fmt.Sprintf("case %d", i), Sealed: w.sealed, Recipients: w.keys}
}

// BenchmarkFileCaseSQLite is one filing: guard, recipients check, record,
// audit entry and ledger leaf in one transaction.
func BenchmarkFileCaseSQLite(b *testing.B) {
	w := newBenchWorld(b, storetest.OpenSQLite(b))
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if _, err := w.svc.File(ctx, w.group, w.req(i)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkStatsSQLite10k aggregates 10,000 stored cases by platform,
// country, kind and month.
func BenchmarkStatsSQLite10k(b *testing.B) {
	w := newBenchWorld(b, storetest.OpenSQLite(b))
	ctx := context.Background()
	for i := 0; i < 10_000; i++ {
		if _, err := w.svc.File(ctx, w.group, w.req(i)); err != nil {
			b.Fatal(err)
		}
	}
	q := cases.StatsQuery{GroupBy: []string{"platform", "country", "kind", "period"}, Now: time.Now()}
	b.ResetTimer()
	for b.Loop() {
		st, err := w.svc.Stats(ctx, q)
		if err != nil || len(st.Groups) == 0 {
			b.Fatal(err)
		}
	}
}
