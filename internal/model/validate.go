package model

import (
	"fmt"
	"sort"
	"strings"
)

// FieldError names the field (a JSON path such as "targets.items.kind")
// that is wrong and why.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError is a list of field errors; it is what bad input becomes.
type ValidationError struct {
	Errors []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Errors))
	for i, fe := range e.Errors {
		parts[i] = fe.Field + ": " + fe.Message
	}
	return strings.Join(parts, "; ")
}

// Invalid builds a ValidationError for one field.
func Invalid(field, format string, args ...any) *ValidationError {
	return &ValidationError{Errors: []FieldError{{Field: field, Message: fmt.Sprintf(format, args...)}}}
}

// Validator collects field errors.
type Validator struct {
	errs []FieldError
}

func (v *Validator) Add(field, format string, args ...any) {
	v.errs = append(v.errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err returns nil when nothing was added.
func (v *Validator) Err() error {
	if len(v.errs) == 0 {
		return nil
	}
	return &ValidationError{Errors: v.errs}
}

func (v *Validator) Index(field string, i int) string { return fmt.Sprintf("%s[%d]", field, i) }

func (v *Validator) Required(field, value string) bool {
	if strings.TrimSpace(value) == "" {
		v.Add(field, "is required")
		return false
	}
	return true
}

func (v *Validator) Enum(field, value string, e Enum) {
	if value == "" {
		v.Add(field, "is required; one of %s", e)
		return
	}
	if !e.Has(value) {
		v.Add(field, "%q is not one of %s", value, e)
	}
}

func (v *Validator) OptionalEnum(field, value string, e Enum) {
	if value != "" && !e.Has(value) {
		v.Add(field, "%q is not one of %s", value, e)
	}
}

func (v *Validator) Enums(field string, values []string, e Enum) {
	for i, s := range values {
		v.Enum(v.Index(field, i), s, e)
	}
}

func (v *Validator) Country(field, cc string, required bool) {
	if cc == "" {
		if required {
			v.Add(field, "is required (ISO 3166-1 alpha-2)")
		}
		return
	}
	if !IsCountryCode(cc) {
		v.Add(field, "%q is not an ISO 3166-1 alpha-2 code", cc)
	}
}

// Enum is a closed set of string values.
type Enum map[string]struct{}

func NewEnum(values ...string) Enum {
	e := make(Enum, len(values))
	for _, s := range values {
		e[s] = struct{}{}
	}
	return e
}

func (e Enum) Has(s string) bool { _, ok := e[s]; return ok }

// Values lists the members in order.
func (e Enum) Values() []string {
	out := make([]string, 0, len(e))
	for s := range e {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func (e Enum) String() string { return strings.Join(e.Values(), ", ") }

// IsCountryCode accepts two upper-case letters; the registry of assigned
// codes changes, and rejecting a new one would lose data.
func IsCountryCode(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}
