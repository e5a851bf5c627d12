package canonjson

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gowebpki/jcs"
)

type inner struct {
	Zeta  string   `json:"zeta"`
	Alpha *float64 `json:"alpha,omitempty"`
	List  []string `json:"list,omitempty"`
}

type Embedded struct {
	ID      string    `json:"id"`
	Created time.Time `json:"created_at"`
}

type sample struct {
	Embedded
	Name    string            `json:"name"`
	Count   int64             `json:"count"`
	Ratio   float64           `json:"ratio"`
	Flag    bool              `json:"flag,omitempty"`
	Inner   *inner            `json:"inner,omitempty"`
	Items   []inner           `json:"items"`
	Attrs   map[string]any    `json:"attrs,omitempty"`
	Labels  map[string]string `json:"labels"`
	Skipped string            `json:"-"`
	Raw     json.RawMessage   `json:"raw,omitempty"`
}

var alphabet = []rune("aZ09 \"\\/\b\f\n\r\t\x00\x1f<>&\u2028\u2029éğışĐđ€😀\U0001F600")

func randString(r *rand.Rand) string {
	n := r.IntN(12)
	out := make([]rune, n)
	for i := range out {
		out[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(out)
}

func randFloat(r *rand.Rand) float64 {
	switch r.IntN(6) {
	case 0:
		return float64(r.IntN(1000))
	case 1:
		return r.Float64() * 100
	case 2:
		return math.Pow(10, float64(r.IntN(50)-25)) * r.Float64()
	case 3:
		return -r.Float64() * 1e22
	case 4:
		return 1e21
	}
	return 4.5e-7
}

func randSample(r *rand.Rand) sample {
	s := sample{Embedded: Embedded{ID: randString(r), Created: time.Unix(r.Int64N(2e9), r.Int64N(1e9)).UTC()},
		Name: randString(r), Count: r.Int64N(1 << 40), Ratio: randFloat(r), Flag: r.IntN(2) == 0,
		Labels: map[string]string{}}
	if r.IntN(2) == 0 {
		f := randFloat(r)
		s.Inner = &inner{Zeta: randString(r), Alpha: &f, List: []string{randString(r), randString(r)}}
	}
	for i := 0; i < r.IntN(3); i++ {
		s.Items = append(s.Items, inner{Zeta: randString(r)})
	}
	for i := 0; i < r.IntN(4); i++ {
		s.Labels[randString(r)] = randString(r)
	}
	if r.IntN(2) == 0 {
		s.Attrs = map[string]any{randString(r): randFloat(r), "n": nil, "nested": map[string]any{"b": 1.5, "a": []any{"x", true}}}
	}
	if r.IntN(3) == 0 {
		s.Raw = json.RawMessage(`{"b": 2, "a": [1, 2.50, "\u00e9"]}`)
	}
	return s
}

// TestMatchesJCS holds the encoder byte-equal to encoding/json followed by
// the gowebpki/jcs canonicaliser on random values.
func TestMatchesJCS(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		s := randSample(r)
		std, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		want, err := jcs.Transform(std)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Fatalf("sample %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

func TestRejectsNonNumbers(t *testing.T) {
	if _, err := Marshal(map[string]float64{"x": math.NaN()}); err == nil {
		t.Fatal("NaN accepted")
	}
	if _, err := Marshal(map[string]int64{"x": 1 << 60}); err == nil {
		t.Fatal("an integer beyond 2^53 accepted")
	}
}

func BenchmarkMarshal(b *testing.B) {
	s := randSample(rand.New(rand.NewPCG(3, 4)))
	b.Run("canonjson", func(b *testing.B) {
		for b.Loop() {
			Marshal(s)
		}
	})
	b.Run("json+jcs", func(b *testing.B) {
		for b.Loop() {
			raw, _ := json.Marshal(s)
			jcs.Transform(raw)
		}
	})
}
