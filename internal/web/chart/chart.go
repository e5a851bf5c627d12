// Package chart draws bar and line charts as SVG on the server, so charts
// need no JavaScript and no outside origin. Colours come from CSS classes
// (s0…s7 or a series' own class), never inline styles, to keep the
// Content-Security-Policy strict.
package chart

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Series is one named row of values, one per label; NaN means no data.
type Series struct {
	Name   string
	Class  string // CSS class; s<i> when empty
	Values []float64
}

// Chart is a bar chart (grouped, or stacked when Stacked) or a line chart.
type Chart struct {
	ID      string // unique in the page, for aria-labelledby
	Title   string
	Desc    string // what the chart shows, read by screen readers
	Labels  []string
	Series  []Series
	Stacked bool
	Line    bool
	// Max fixes the top of the value axis (1 for rates); 0 fits the data.
	Max float64
	// Format writes axis values; fmt %g when nil.
	Format func(float64) string
}

const (
	width   = 720.0
	height  = 280.0
	left    = 64.0
	right   = 12.0
	top     = 16.0
	bottom  = 56.0
	legendH = 22.0
)

// SVG renders the chart. It always returns a well-formed image, even empty.
func (c Chart) SVG() template.HTML {
	var b strings.Builder
	legendRows := (len(c.Series) + 3) / 4
	h := height + float64(legendRows)*legendH
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-labelledby="%s-t %s-d" xmlns="http://www.w3.org/2000/svg">`, width, h, esc(c.ID), esc(c.ID))
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, esc(c.ID), esc(c.Title), esc(c.ID), esc(c.Desc))
	format := c.Format
	if format == nil {
		format = func(v float64) string { return fmt.Sprintf("%g", v) }
	}
	max := c.Max
	if max == 0 {
		max = c.dataMax()
	}
	if max <= 0 {
		max = 1
	}
	max = niceCeil(max)
	plotW := width - left - right
	plotH := height - top - bottom
	y := func(v float64) float64 { return top + plotH - v/max*plotH }

	// Grid and value axis.
	for i := 0; i <= 4; i++ {
		v := max * float64(i) / 4
		fmt.Fprintf(&b, `<line class="grid" x1="%g" x2="%g" y1="%.1f" y2="%.1f"/>`, left, width-right, y(v), y(v))
		fmt.Fprintf(&b, `<text class="tick" x="%g" y="%.1f" text-anchor="end">%s</text>`, left-6, y(v)+4, esc(format(v)))
	}
	n := len(c.Labels)
	if n == 0 {
		b.WriteString(`</svg>`)
		return template.HTML(b.String())
	}
	slot := plotW / float64(n)
	every := int(math.Ceil(float64(n) / 8)) // at most 8 labels fit
	for i, l := range c.Labels {
		if i%every != 0 {
			continue
		}
		x := left + slot*(float64(i)+0.5)
		fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%g" text-anchor="middle">%s</text>`, x, top+plotH+18, esc(l))
	}

	switch {
	case c.Line:
		for si, s := range c.Series {
			var pts []string
			flush := func() {
				if len(pts) > 1 {
					fmt.Fprintf(&b, `<polyline class="line %s" points="%s"/>`, c.class(si, s), strings.Join(pts, " "))
				}
				pts = pts[:0]
			}
			for i, v := range s.Values {
				if i >= n {
					break
				}
				if math.IsNaN(v) {
					flush()
					continue
				}
				x := left + slot*(float64(i)+0.5)
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y(v)))
				fmt.Fprintf(&b, `<circle class="dot %s" cx="%.1f" cy="%.1f" r="3"><title>%s, %s: %s</title></circle>`,
					c.class(si, s), x, y(v), esc(s.Name), esc(c.Labels[i]), esc(format(v)))
			}
			flush()
		}
	case c.Stacked:
		bw := slot * 0.7
		for i := 0; i < n; i++ {
			acc := 0.0
			x := left + slot*float64(i) + (slot-bw)/2
			for si, s := range c.Series {
				v := at(s.Values, i)
				if v <= 0 {
					continue
				}
				fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s, %s: %s</title></rect>`,
					c.class(si, s), x, y(acc+v), bw, y(acc)-y(acc+v), esc(s.Name), esc(c.Labels[i]), esc(format(v)))
				acc += v
			}
		}
	default:
		k := float64(max1(len(c.Series)))
		bw := slot * 0.8 / k
		for i := 0; i < n; i++ {
			for si, s := range c.Series {
				v := at(s.Values, i)
				if v <= 0 {
					continue
				}
				x := left + slot*float64(i) + slot*0.1 + bw*float64(si)
				fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s, %s: %s</title></rect>`,
					c.class(si, s), x, y(v), bw, y(0)-y(v), esc(s.Name), esc(c.Labels[i]), esc(format(v)))
			}
		}
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%g" x2="%g" y1="%.1f" y2="%.1f"/>`, left, width-right, y(0), y(0))

	// Legend, four entries a row.
	for si, s := range c.Series {
		row, col := si/4, si%4
		x := left + float64(col)*(plotW/4)
		ly := height + float64(row)*legendH
		fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%.1f" width="12" height="12"/>`, c.class(si, s), x, ly-10)
		fmt.Fprintf(&b, `<text class="legend" x="%.1f" y="%.1f">%s</text>`, x+18, ly, esc(s.Name))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func (c Chart) class(i int, s Series) string {
	if s.Class != "" {
		return esc(s.Class)
	}
	return fmt.Sprintf("s%d", i%8)
}

func (c Chart) dataMax() float64 {
	max := 0.0
	for i := range c.Labels {
		sum := 0.0
		for _, s := range c.Series {
			v := at(s.Values, i)
			if c.Stacked {
				sum += math.Max(v, 0)
			} else if v > max {
				max = v
			}
		}
		if sum > max {
			max = sum
		}
	}
	return max
}

func at(v []float64, i int) float64 {
	if i < len(v) && !math.IsNaN(v[i]) {
		return v[i]
	}
	return 0
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

// niceCeil rounds up to 1, 2, 2.5 or 5 times a power of ten so axis ticks
// are round numbers.
func niceCeil(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func esc(s string) string { return template.HTMLEscapeString(s) }
