package citizenlab

import (
	"slices"
	"testing"

	"github.com/candor-observatory/candor/internal/shareddata/shareddatatest"
)

func TestLists(t *testing.T) {
	tags, err := ReadFiles(
		shareddatatest.Path(t, "citizenlab-test-lists", "global.csv"),
		shareddatatest.Path(t, "citizenlab-test-lists", "tr.csv"),
		shareddatatest.Path(t, "citizenlab-test-lists", "vn.csv"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if len(tags.Problems) != 0 {
		t.Errorf("problems: %v", tags.Problems)
	}
	if tags.Len() < 2000 {
		t.Errorf("only %d domains tagged from ~2,550 list rows", tags.Len())
	}
	for host, want := range map[string]string{
		"twitter.com": "GRP", "x.com": "GRP", "www.twitter.com": "GRP", "kafkas.org.tr": "CULTR",
	} {
		if got := tags.Categories(host, "TR"); !slices.Contains(got, want) {
			t.Errorf("Categories(%q) = %v, want %s among them", host, got, want)
		}
	}
	// A subdomain without a row of its own takes its parent's tags.
	if got := tags.Categories("mobile.twitter.com", ""); !slices.Contains(got, "GRP") {
		t.Errorf("mobile.twitter.com: %v", got)
	}
	if got := tags.Categories("example.invalid", ""); len(got) != 0 {
		t.Errorf("untagged host got %v", got)
	}
	var first Tag
	tags.Each(func(tg Tag) {
		if first.Domain == "" {
			first = tg
		}
	})
	if first.File == "" || first.Line < 2 || len(first.SHA256) != 64 {
		t.Errorf("tag without provenance: %+v", first)
	}
}
