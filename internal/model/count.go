package model

import "fmt"

// Count kinds, strongest first.
const (
	Exact      = "exact"
	LowerBound = "lower_bound"
	Range      = "range"
	Suppressed = "suppressed"
)

var countKinds = NewEnum(Exact, LowerBound, Range, Suppressed)

// kindWeakness orders kinds so that a sum keeps the weakest one.
var kindWeakness = map[string]int{Exact: 0, Range: 1, LowerBound: 2, Suppressed: 3}

// Count is a published figure with its precision. "<10" is a Range 0–9 and
// is never imputed; a suppressed figure has no value at all.
type Count struct {
	Value *int64 `json:"value,omitempty"`
	Kind  string `json:"kind"`
	Min   *int64 `json:"min,omitempty"`
	Max   *int64 `json:"max,omitempty"`
}

func i64(n int64) *int64 { return &n }

func ExactCount(n int64) *Count      { return &Count{Value: i64(n), Kind: Exact, Min: i64(n), Max: i64(n)} }
func AtLeast(n int64) *Count         { return &Count{Kind: LowerBound, Min: i64(n)} }
func RangeCount(lo, hi int64) *Count { return &Count{Kind: Range, Min: i64(lo), Max: i64(hi)} }
func SuppressedCount() *Count        { return &Count{Kind: Suppressed} }

// Lo is the smallest value the count can have.
func (c *Count) Lo() int64 {
	switch {
	case c == nil:
		return 0
	case c.Min != nil:
		return *c.Min
	case c.Value != nil:
		return *c.Value
	}
	return 0
}

// Hi is the largest value the count can have; ok is false when unbounded.
func (c *Count) Hi() (hi int64, ok bool) {
	switch {
	case c == nil:
		return 0, true
	case c.Kind == Exact && c.Value != nil:
		return *c.Value, true
	case c.Kind == Range && c.Max != nil:
		return *c.Max, true
	}
	return 0, false
}

// Normalize fills Min and Max from Value for exact counts, so stores can sum
// bounds without knowing kinds.
func (c *Count) Normalize() {
	if c == nil {
		return
	}
	if c.Kind == "" && c.Value != nil {
		c.Kind = Exact
	}
	switch c.Kind {
	case Exact:
		if c.Value != nil {
			c.Min, c.Max = i64(*c.Value), i64(*c.Value)
		}
	case LowerBound:
		if c.Min == nil && c.Value != nil {
			c.Min = i64(*c.Value)
		}
		c.Value, c.Max = nil, nil
	case Range:
		c.Value = nil
	case Suppressed:
		c.Value, c.Min, c.Max = nil, nil, nil
	}
}

func (c *Count) validate(v *Validator, field string) {
	if c == nil {
		return
	}
	c.Normalize()
	v.Enum(field+".kind", c.Kind, countKinds)
	neg := func(p *int64, name string) {
		if p != nil && *p < 0 {
			v.Add(field+"."+name, "must not be negative")
		}
	}
	neg(c.Value, "value")
	neg(c.Min, "min")
	neg(c.Max, "max")
	switch c.Kind {
	case Exact:
		if c.Value == nil {
			v.Add(field+".value", "is required for an exact count")
		}
	case LowerBound:
		if c.Min == nil {
			v.Add(field+".min", "is required for a lower bound")
		}
	case Range:
		if c.Min == nil || c.Max == nil {
			v.Add(field, "a range needs min and max")
		} else if *c.Min > *c.Max {
			v.Add(field+".max", "must not be below min")
		}
	}
}

// Add sums two counts keeping the weakest kind: exact+range is a range,
// anything with a lower bound is a lower bound, anything suppressed is
// suppressed (its known part is kept as Min).
func (c *Count) Add(o *Count) *Count {
	if c == nil {
		if o == nil {
			return nil
		}
		cp := *o
		return &cp
	}
	if o == nil {
		cp := *c
		return &cp
	}
	kind := c.Kind
	if kindWeakness[o.Kind] > kindWeakness[kind] {
		kind = o.Kind
	}
	lo := c.Lo() + o.Lo()
	out := &Count{Kind: kind, Min: i64(lo)}
	h1, ok1 := c.Hi()
	h2, ok2 := o.Hi()
	switch kind {
	case Exact:
		out.Value, out.Max = i64(lo), i64(lo)
	case Range:
		if ok1 && ok2 {
			out.Max = i64(h1 + h2)
		} else {
			out.Kind = LowerBound
		}
	}
	return out
}

func (c *Count) String() string {
	if c == nil {
		return ""
	}
	switch c.Kind {
	case Exact:
		return fmt.Sprint(c.Lo())
	case LowerBound:
		return fmt.Sprintf("≥%d", c.Lo())
	case Range:
		hi, _ := c.Hi()
		return fmt.Sprintf("%d–%d", c.Lo(), hi)
	}
	return "suppressed"
}
