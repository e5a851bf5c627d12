package country

import "testing"

func TestCode(t *testing.T) {
	for name, want := range map[string]string{
		"Turkey": "TR", "Türkiye": "TR", "Viet Nam": "VN", "Vietnam": "VN", " Viet Nam ": "VN",
		"Congo (Democratic Republic of the)": "CD", "Congo": "CG", "Iran (Islamic Republic of)": "IR",
		"Myanmar/Burma": "MM", "Myanmar": "MM", "Côte d'Ivoire": "CI", "Antigua & Barbuda": "AG",
		"Saint Kitts And Nevis": "KN", "Tanzania, United Republic of": "TZ", "Reunion": "RE", "TR": "TR",
		"SriLanka": "LK", "DemocraticRepublicCongo": "CD", "Venezuela, Bolivarian Republic of": "VE",
		"Central African Republic": "CF",
	} {
		if got, ok := Code(name); !ok || got != want {
			t.Errorf("Code(%q) = %q, %v; want %s", name, got, ok, want)
		}
	}
	for _, bad := range []string{"European Union", "", "Atlantis"} {
		if c, ok := Code(bad); ok {
			t.Errorf("Code(%q) = %s, want none", bad, c)
		}
	}
}
