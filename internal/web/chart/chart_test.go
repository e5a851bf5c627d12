package chart

import (
	"encoding/xml"
	"math"
	"strings"
	"testing"
)

func wellFormed(t *testing.T, svg string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		_, err := d.Token()
		if err != nil {
			if err.Error() == "EOF" {
				return
			}
			t.Fatalf("not well-formed XML: %v\n%s", err, svg)
		}
	}
}

func TestBarsGroupedAndStacked(t *testing.T) {
	c := Chart{ID: "c1", Title: "Demands <by> platform", Desc: "d", Labels: []string{"2022 H2", "2023 H1"},
		Series: []Series{{Name: "Google", Values: []float64{10, 20}}, {Name: "X", Values: []float64{5, math.NaN()}}}}
	svg := string(c.SVG())
	wellFormed(t, svg)
	if got := strings.Count(svg, "<rect class=\"s"); got != 3+2 { // 3 bars + 2 legend keys
		t.Errorf("grouped: %d rects, want 5", got)
	}
	if !strings.Contains(svg, "Demands &lt;by&gt; platform") {
		t.Error("title not escaped")
	}
	c.Stacked = true
	svg = string(c.SVG())
	wellFormed(t, svg)
	// Stacked: the top of 2022 H2 reaches 15 of a 20 axis.
	if !strings.Contains(svg, "<title>X, 2022 H2: 5</title>") {
		t.Error("stacked segment tooltip missing")
	}
}

func TestLineSkipsGaps(t *testing.T) {
	c := Chart{ID: "l", Line: true, Max: 1, Labels: []string{"a", "b", "c", "d"},
		Series: []Series{{Name: "rate", Values: []float64{0.5, math.NaN(), 0.7, 0.9}}}}
	svg := string(c.SVG())
	wellFormed(t, svg)
	if n := strings.Count(svg, "<polyline"); n != 1 {
		t.Errorf("%d polylines, want 1 (the lone first point draws none)", n)
	}
	if n := strings.Count(svg, "<circle"); n != 3 {
		t.Errorf("%d points, want 3", n)
	}
}

func TestEmpty(t *testing.T) {
	wellFormed(t, string(Chart{ID: "e"}.SVG()))
}

func TestNiceCeil(t *testing.T) {
	for in, want := range map[float64]float64{0.7: 1, 1: 1, 13: 20, 230: 250, 4100: 5000, 51: 100} {
		if got := niceCeil(in); got != want {
			t.Errorf("niceCeil(%g) = %g, want %g", in, got, want)
		}
	}
}
