package locale

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/candor-observatory/candor/internal/model"
)

func load(t *testing.T, code string) map[string]any {
	t.Helper()
	var m map[string]any
	if _, err := toml.DecodeFile("messages/"+code+".toml", &m); err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("messages/*." + code + ".toml")
	for _, f := range more {
		var part map[string]any
		if _, err := toml.DecodeFile(f, &part); err != nil {
			t.Fatal(err)
		}
		for k, v := range part {
			if _, dup := m[k]; dup {
				t.Errorf("%s: %s is also in messages/%s.toml", f, k, code)
			}
			m[k] = v
		}
	}
	return m
}

// Every message of the English file exists in the others, with the same
// template fields, and plural messages carry both one and other.
func TestCatalogsComplete(t *testing.T) {
	en := load(t, "en")
	field := regexp.MustCompile(`\{\{\.(\w+)\}\}`)
	fieldsOf := func(v any) string {
		var all []string
		switch x := v.(type) {
		case string:
			all = field.FindAllString(x, -1)
		case map[string]any:
			all = field.FindAllString(x["other"].(string), -1)
		}
		seen := map[string]bool{}
		var out []string
		for _, f := range all {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
		return strings.Join(sortStrings(out), ",")
	}
	for _, code := range Codes {
		m := load(t, code)
		for id, v := range en {
			w, ok := m[id]
			if !ok {
				t.Errorf("%s: %s is missing", code, id)
				continue
			}
			if p, ok := w.(map[string]any); ok {
				if p["one"] == nil || p["other"] == nil {
					t.Errorf("%s: plural %s needs one and other", code, id)
				}
			}
			// Vietnamese names months by number, so only check fields elsewhere.
			if code != "vi" || !strings.HasPrefix(id, "format.") {
				if a, b := fieldsOf(v), fieldsOf(w); a != b {
					t.Errorf("%s: %s uses fields %s, English %s", code, id, b, a)
				}
			}
		}
		for id := range m {
			if _, ok := en[id]; !ok {
				t.Errorf("%s: %s is not in the English catalogue", code, id)
			}
		}
	}
}

func sortStrings(s []string) []string {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

// Every enum value the model defines has a label in every language.
func TestEnumLabels(t *testing.T) {
	enums := map[string]model.Enum{
		"demand_type": model.DemandTypes, "reason": model.Reasons, "channel": model.Channels, "threat": model.Threats,
		"granularity": model.Granularities, "outcome": model.Outcomes, "pushback": model.PushbackKinds,
		"user_notified": model.UserNotified, "law_kind": model.LawKinds, "law_status": model.LawStatuses,
		"tag": model.ProvisionTags, "authority_type": model.AuthorityTypes, "organisation_kind": model.OrganisationKinds,
		"platform_type": model.PlatformTypes,
		"event_kind":    model.NewEnum("blocking", "throttling", "shutdown", "dns_manipulation", "tls_interference"),
		"period_kind":   model.PeriodKinds, "finding": model.FindingResults, "aim": model.Aims,
		"alternative": model.Alternatives, "plan_status": model.PlanStatuses,
		"measurement_outcome": model.NewEnum("ok", "anomaly", "confirmed", "failure"),
		"case_kind":           model.CaseKinds, "case_status": model.CaseStatuses, "case_urgency": model.CaseUrgencies,
		"case_outcome": model.CaseOutcomes, "case_milestone": model.NewEnum("acknowledge", "respond", "resolve"),
	}
	for _, code := range Codes {
		l := Get(code)
		for kind, e := range enums {
			for _, v := range e.Values() {
				if !l.Has("enum." + kind + "." + v) {
					t.Errorf("%s: no label for %s %s", code, kind, v)
				}
			}
		}
	}
	if got := Get("tr").Label("reason", "defamation"); got != "Hakaret" {
		t.Errorf("tr defamation = %q", got)
	}
	if got := Get("vi").Label("outcome", "rejected"); got != "Từ chối" {
		t.Errorf("vi rejected = %q", got)
	}
	if got := Get("en").Label("reason", "something_new"); got != "something_new" {
		t.Errorf("unknown value = %q", got)
	}
}

// Messages are distinct translations, not English left in place.
func TestTranslated(t *testing.T) {
	en := load(t, "en")
	same := 0
	for _, code := range []string{"tr", "vi"} {
		m := load(t, code)
		for id, v := range en {
			if s, ok := v.(string); ok && s == m[id] && !regexp.MustCompile(`^[\d\s{}.A-Z%()-]*$|^(SHA-256|Video|Platform|URL)`).MatchString(s) {
				same++
				t.Logf("%s: %s is the same as in English: %q", code, id, s)
			}
		}
	}
	if same > 6 {
		t.Errorf("%d messages are not translated", same)
	}
}

func TestFormats(t *testing.T) {
	day := time.Date(2023, 2, 8, 11, 0, 0, 0, time.UTC)
	for _, c := range []struct{ code, date, month, num, pct, half, country string }{
		{"en", "8 February 2023", "February 2023", "1,234.5", "45.2%", "H1 2023", "Türkiye"},
		{"tr", "8 Şubat 2023", "Şubat 2023", "1.234,5", "%45,2", "2023 ilk yarı", "Türkiye"},
		{"vi", "8 tháng 2, 2023", "tháng 2, 2023", "1.234,5", "45,2%", "nửa đầu 2023", "Thổ Nhĩ Kỳ"},
	} {
		l := Get(c.code)
		for _, g := range [][2]string{{l.Date(day), c.date}, {l.MonthYear(day), c.month}, {l.Decimal(1234.5, 1), c.num},
			{l.Percent(0.4523), c.pct}, {l.Period("2023-H1"), c.half}, {l.Country("TR"), c.country}} {
			if g[0] != g[1] {
				t.Errorf("%s: got %q, want %q", c.code, g[0], g[1])
			}
		}
	}
	if got := Get("tr").Int(1234567); got != "1.234.567" {
		t.Errorf("tr int %q", got)
	}
	if got := Get("vi").N("home.events", 1); got != "1 sự kiện" {
		t.Errorf("vi plural %q", got)
	}
	if got := Get("en").N("home.events", 1) + " / " + Get("en").N("home.events", 2); got != "1 event / 2 events" {
		t.Errorf("en plural %q", got)
	}
}

// Turkish maps i to İ and ı to I; other languages do not.
func TestTurkishCase(t *testing.T) {
	if got := Get("tr").Upper("istanbul ılık"); got != "İSTANBUL ILIK" {
		t.Errorf("tr upper %q", got)
	}
	if got := Get("tr").Lower("İZMİR IĞDIR"); got != "izmir ığdır" {
		t.Errorf("tr lower %q", got)
	}
	if got := Get("en").Upper("istanbul"); got != "ISTANBUL" {
		t.Errorf("en upper %q", got)
	}
}

func TestMatch(t *testing.T) {
	for in, want := range map[string]string{"tr-TR,tr;q=0.9": "tr", "vi": "vi", "de,en;q=0.5": "en", "": "en", "fr": "en", "en-GB": "en", "de, vi;q=0.3": "vi"} {
		if got := Match(in); got != want {
			t.Errorf("Match(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCompare(t *testing.T) {
	tr := Get("tr")
	if tr.Compare("Çin", "Danimarka") >= 0 || tr.Compare("Cezayir", "Çin") >= 0 {
		t.Error("Turkish: Ç sorts between C and D")
	}
	if tr.Compare("Irak", "İran") >= 0 {
		t.Error("Turkish: I (dotless) sorts before İ")
	}
	if Get("vi").Compare("Đức", "Estonia") >= 0 || Get("vi").Compare("Dominica", "Đức") >= 0 {
		t.Error("Vietnamese: Đ sorts between D and E")
	}
}
