package ndjson

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/candor-observatory/candor/internal/model"
)

// Generate writes benchmark input in the shape `candor export` writes: one
// platform organisation, then n individual demands made to it. The output
// depends only on n and seed.
func Generate(w io.Writer, n int, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 0x63616e646f72))
	t0 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	newID := func(t time.Time) string {
		var entropy [10]byte
		for i := range entropy {
			entropy[i] = byte(rng.Uint32())
		}
		id, err := ulid.New(ulid.Timestamp(t), bytesReader(entropy[:]))
		if err != nil {
			panic(err)
		}
		return id.String()
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	org := &model.Organisation{
		Meta: model.Meta{ID: newID(t0), Version: 1, CreatedAt: t0, UpdatedAt: t0, Visibility: model.Public,
			Sources: []model.Source{{URL: "https://example.org/bench", Title: "Generated benchmark platform"}}},
		Name: "Bench Platform", Kind: "platform", PlatformType: "social_media", Services: []string{"Posts", "Video"},
		Slug: "bench",
	}
	if err := Write(bw, org); err != nil {
		return err
	}
	countries := []string{"TR", "VN", "IN", "RU", "BR", "DE", "FR", "PK", "ID", "MX"}
	reasons := model.Reasons.Values()
	types := []string{"content_removal", "geo_withholding", "account_restriction", "user_data_disclosure"}
	authorities := []string{"court", "police", "ict_regulator", "prosecutor", "government_official"}
	channels := []string{"court_order", "administrative_order", "formal_legal_process", "informal"}
	for i := range n {
		at := t0.Add(time.Duration(i) * 37 * time.Second)
		items := int64(1 + rng.IntN(500))
		d := &model.Demand{
			Meta: model.Meta{ID: newID(at), Version: 1, CreatedAt: at, UpdatedAt: at, Visibility: model.Public,
				Sources: []model.Source{{URL: fmt.Sprintf("https://example.org/orders/%d", i), Claim: "third_party_reported"}}},
			Platform:      org.ID,
			Service:       org.Services[i%2],
			Country:       countries[rng.IntN(len(countries))],
			Granularity:   "individual",
			ReceivedAt:    &at,
			AuthorityType: authorities[rng.IntN(len(authorities))],
			Channel:       channels[rng.IntN(len(channels))],
			Types:         []string{types[rng.IntN(len(types))]},
			Reason:        reasons[rng.IntN(len(reasons))],
			RequestCount:  model.ExactCount(1),
			Targets:       model.Targets{Items: model.ExactCount(items)},
			Summary:       fmt.Sprintf("Order %d to remove %d items", i, items),
			SourceID:      fmt.Sprintf("bench-%d", i),
		}
		if err := Write(bw, d); err != nil {
			return err
		}
	}
	return bw.Flush()
}

type bytesReader []byte

func (b bytesReader) Read(p []byte) (int, error) { return copy(p, b), nil }
