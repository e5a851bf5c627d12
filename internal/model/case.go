package model

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Case is an escalation from a civil-society group to a platform (C5). Only
// the summary, kind, country, urgency, status, times and outcome are public;
// details, identities, evidence and every message travel in age ciphertext
// that the server cannot read.
type Case struct {
	Meta
	FiledBy     string `json:"filed_by"`
	AddressedTo string `json:"addressed_to"`
	Kind        string `json:"kind"`
	Country     string `json:"country"`
	Urgency     string `json:"urgency"`
	Status      string `json:"status"`
	// Summary is public and must not identify anyone.
	Summary string `json:"summary"`
	// Sealed is age ciphertext (armored, or base64 of the binary form).
	Sealed string `json:"sealed,omitempty"`
	// Recipients are the age X25519 keys Sealed and the messages were
	// encrypted to; only the filing group chooses them.
	Recipients      []string      `json:"recipients,omitempty"`
	FiledAt         time.Time     `json:"filed_at"`
	AcknowledgedAt  *time.Time    `json:"acknowledged_at,omitempty"`
	FirstResponseAt *time.Time    `json:"first_response_at,omitempty"`
	ResolvedAt      *time.Time    `json:"resolved_at,omitempty"`
	Messages        []CaseMessage `json:"messages,omitempty"`
	// History lists every status change; it is public.
	History []CaseStatusChange `json:"history,omitempty"`
	Outcome string             `json:"outcome,omitempty"`
	// ShareWithCountryOffice is the filing group's consent to let the
	// platform's country office read the case; without it no key of the
	// country office may be a recipient.
	ShareWithCountryOffice bool     `json:"share_with_country_office"`
	Related                []string `json:"related,omitempty"`
}

// CaseMessage is one sealed follow-up; who sent it and when are public.
type CaseMessage struct {
	From   string    `json:"from"`
	At     time.Time `json:"at"`
	Sealed string    `json:"sealed,omitempty"`
}

// CaseStatusChange records who moved a case to which status, and when.
type CaseStatusChange struct {
	Status string    `json:"status"`
	At     time.Time `json:"at"`
	By     string    `json:"by"`
}

// CaseTargets are the service times a platform publishes, per urgency.
type CaseTargets struct {
	Routine   *CaseTarget `json:"routine,omitempty"`
	Urgent    *CaseTarget `json:"urgent,omitempty"`
	Emergency *CaseTarget `json:"emergency,omitempty"`
}

// CaseTarget is how many hours a platform allows itself from filing to each
// milestone.
type CaseTarget struct {
	AcknowledgeHours float64 `json:"acknowledge_hours"`
	RespondHours     float64 `json:"respond_hours"`
	ResolveHours     float64 `json:"resolve_hours"`
}

var (
	CaseKinds = NewEnum("wrongful_takedown", "account_suspension", "mass_false_reporting", "troll_campaign",
		"data_request_risk", "safety_threat", "interference_report", "other")
	CaseUrgencies = NewEnum("routine", "urgent", "emergency")
	CaseStatuses  = NewEnum("filed", "acknowledged", "in_review", "responded", "resolved", "closed_unresolved", "escalated")
	CaseOutcomes  = NewEnum("restored", "action_taken", "partially_addressed", "no_action", "declined",
		"referred", "withdrawn", "other")
)

// MaxSealed bounds one sealed part; evidence larger than this belongs in
// documents outside the case.
const MaxSealed = 8 << 20

func (*Case) Collection() string { return "cases" }

func (c *Case) Validate(v *Validator) {
	if c.Visibility == "" {
		c.Visibility = Sealed
	}
	validateMeta(v, &c.Meta)
	if c.Visibility != Sealed {
		v.Add("visibility", "a case is always %q", Sealed)
	}
	v.Required("filed_by", c.FiledBy)
	v.Required("addressed_to", c.AddressedTo)
	v.Enum("kind", c.Kind, CaseKinds)
	v.Country("country", c.Country, true)
	v.Enum("urgency", c.Urgency, CaseUrgencies)
	if c.Status == "" {
		c.Status = "filed"
	}
	v.Enum("status", c.Status, CaseStatuses)
	if v.Required("summary", c.Summary) && len(c.Summary) > 2000 {
		v.Add("summary", "is longer than 2000 bytes; details belong in the sealed part")
	} else if what := identifying(c.Summary); what != "" {
		v.Add("summary", "is public and seems to hold %s; put it in the sealed part", what)
	}
	checkSealed(v, "sealed", c.Sealed, len(c.Recipients))
	if len(c.Recipients) == 0 {
		v.Add("recipients", "is required: the age X25519 keys the sealed part was encrypted to")
	}
	seen := map[string]bool{}
	for i, r := range c.Recipients {
		f := v.Index("recipients", i)
		if !IsAgeRecipient(r) {
			v.Add(f, "must be an age X25519 public key (age1...)")
		} else if seen[r] {
			v.Add(f, "%s is listed twice", r)
		}
		seen[r] = true
	}
	if c.FiledAt.IsZero() {
		v.Add("filed_at", "is required")
	}
	for name, t := range map[string]*time.Time{"acknowledged_at": c.AcknowledgedAt,
		"first_response_at": c.FirstResponseAt, "resolved_at": c.ResolvedAt} {
		if t != nil && !c.FiledAt.IsZero() && t.Before(c.FiledAt) {
			v.Add(name, "is before filed_at")
		}
	}
	for i, m := range c.Messages {
		f := v.Index("messages", i)
		v.Required(f+".from", m.From)
		if m.At.IsZero() {
			v.Add(f+".at", "is required")
		}
		// A message stays sealed to the recipients of its day: only its
		// sender can re-seal it, so the count is not held to today's list.
		checkSealed(v, f+".sealed", m.Sealed, 0)
	}
	for i, h := range c.History {
		f := v.Index("history", i)
		v.Enum(f+".status", h.Status, CaseStatuses)
		v.Required(f+".by", h.By)
		if h.At.IsZero() {
			v.Add(f+".at", "is required")
		}
	}
	v.OptionalEnum("outcome", c.Outcome, CaseOutcomes)
	if len(c.Related) > 100 {
		v.Add("related", "has more than 100 entries")
	}
}

var (
	handlePattern = regexp.MustCompile(`(^|[^\w@])@[\p{L}\p{N}_.]{2,}`)
	emailPattern  = regexp.MustCompile(`[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}`)
	urlPattern    = regexp.MustCompile(`(?i)\b(https?://|www\.)\S+`)
	phonePattern  = regexp.MustCompile(`\+?\d[\d ().-]{6,}\d`)
)

// identifying catches the commonest ways a public summary names someone: a
// handle, an e-mail address, a link or a phone number. It cannot catch a
// name, which the page and the CLI warn about.
func identifying(s string) string {
	switch {
	case emailPattern.MatchString(s):
		return "an e-mail address"
	case handlePattern.MatchString(s):
		return "an account handle"
	case urlPattern.MatchString(s):
		return "a link"
	}
	for _, m := range phonePattern.FindAllString(s, -1) {
		digits := 0
		for _, r := range m {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		if digits >= 9 { // a date has 8
			return "a phone number"
		}
	}
	return ""
}

// checkSealed refuses anything but age ciphertext to as many X25519 keys as
// the case names.
func checkSealed(v *Validator, field, sealed string, recipients int) {
	n, problem := ageStanzas(sealed)
	switch {
	case problem != "":
		v.Add(field, "%s", problem)
	case recipients > 0 && n != recipients:
		v.Add(field, "is encrypted to %d keys but recipients lists %d", n, recipients)
	}
}

// Index exposes only public fields: nothing sealed, no recipients.
func (c *Case) Index() Index {
	ix := Index{Owner: c.FiledBy, Country: c.Country, Platform: c.AddressedTo,
		Types: []string{c.Kind, c.Urgency, c.Status}, Start: timePtr(c.FiledAt), Text: []string{c.Summary}}
	if c.ResolvedAt != nil {
		ix.End = timePtr(*c.ResolvedAt)
	}
	return ix
}

// PublicParter is a record that is not public but has a part that is; the
// registry enters that part, and only that part, into the ledger.
type PublicParter interface {
	PublicPart() Record
}

// AuditDetailer adds a line to the audit entry of each version written.
type AuditDetailer interface {
	AuditDetail() string
}

// PublicPart is what the ledger holds of a case.
func (c *Case) PublicPart() Record { return c.Public() }

// AuditDetail records the filing group's consent to share with the
// platform's country office with every version, and who can read it.
func (c *Case) AuditDetail() string {
	return fmt.Sprintf("status=%s share_with_country_office=%t recipients=%d", c.Status, c.ShareWithCountryOffice, len(c.Recipients))
}

// Public returns a copy without the sealed parts and the recipients: what
// may be published (the ledger leaf) and shown to anyone.
func (c *Case) Public() *Case {
	p := *c
	p.Sealed = ""
	p.Recipients = nil
	p.Messages = make([]CaseMessage, len(c.Messages))
	for i, m := range c.Messages {
		p.Messages[i] = CaseMessage{From: m.From, At: m.At}
	}
	if len(c.Messages) == 0 {
		p.Messages = nil
	}
	return &p
}

// Target returns the target for an urgency, or nil if the platform has
// published none for it.
func (t *CaseTargets) Target(urgency string) *CaseTarget {
	if t == nil {
		return nil
	}
	switch urgency {
	case "routine":
		return t.Routine
	case "urgent":
		return t.Urgent
	case "emergency":
		return t.Emergency
	}
	return nil
}

func (t *CaseTargets) validate(v *Validator, field string) {
	if t == nil {
		return
	}
	for _, u := range []string{"routine", "urgent", "emergency"} {
		x := t.Target(u)
		if x == nil {
			continue
		}
		f := field + "." + u
		if x.AcknowledgeHours <= 0 {
			v.Add(f+".acknowledge_hours", "must be more than 0")
		}
		if x.RespondHours < x.AcknowledgeHours {
			v.Add(f+".respond_hours", "must be at least acknowledge_hours")
		}
		if x.ResolveHours < x.RespondHours {
			v.Add(f+".resolve_hours", "must be at least respond_hours")
		}
	}
}

// validateCaseKeys checks what an organisation publishes for cases.
func validateCaseKeys(v *Validator, o *Organisation) {
	for i, r := range o.CountryOfficeRecipients {
		if !IsAgeRecipient(r) {
			v.Add(v.Index("country_office_recipients", i), "must be an age X25519 public key (age1...)")
		}
	}
	o.CaseTargets.validate(v, "case_targets")
}

// IsAgeRecipient checks the form of an age X25519 public key: "age1" and
// 58 lower-case bech32 characters.
func IsAgeRecipient(s string) bool {
	if len(s) != 62 || !strings.HasPrefix(s, "age1") {
		return false
	}
	for _, c := range s[4:] {
		if !strings.ContainsRune("qpzry9x8gf2tvdw0s3jn54khce6mua7l", c) {
			return false
		}
	}
	return true
}

const (
	ageArmorBegin = "-----BEGIN AGE ENCRYPTED FILE-----"
	ageArmorEnd   = "-----END AGE ENCRYPTED FILE-----"
	ageMagic      = "age-encryption.org/v1\n"
)

// CheckAgeCiphertext says what is wrong with s as an age file to X25519
// recipients, or returns "". It reads the header only: the body cannot be
// read here and must not be.
func CheckAgeCiphertext(s string) string {
	_, problem := ageStanzas(s)
	return problem
}

// AgeRecipientCount counts the X25519 stanzas in an age header, or returns
// -1 if s is not age ciphertext. Stanzas do not say whose key they are for.
func AgeRecipientCount(s string) int {
	n, problem := ageStanzas(s)
	if problem != "" {
		return -1
	}
	return n
}

// ageStanzas decodes the header of an age file and counts its X25519
// stanzas.
func ageStanzas(s string) (x25519 int, problem string) {
	if s == "" {
		return 0, "is required: age ciphertext"
	}
	if len(s) > MaxSealed {
		return 0, "is larger than 8 MiB"
	}
	body := s
	if t := strings.TrimSpace(s); strings.HasPrefix(t, ageArmorBegin) {
		if !strings.HasSuffix(t, ageArmorEnd) {
			return 0, "age armor has no end line"
		}
		body = t[len(ageArmorBegin) : len(t)-len(ageArmorEnd)]
	}
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(body), ""))
	if err != nil {
		return 0, "must be age ciphertext, ASCII-armored or base64; plaintext is refused"
	}
	if !bytes.HasPrefix(raw, []byte(ageMagic)) {
		return 0, "is not an age v1 file"
	}
	end := bytes.Index(raw, []byte("\n---"))
	if end < 0 {
		return 0, "age header has no MAC line"
	}
	for _, line := range strings.Split(string(raw[len(ageMagic):end]), "\n") {
		if !strings.HasPrefix(line, "-> ") {
			continue
		}
		switch typ, _, _ := strings.Cut(line[3:], " "); typ {
		case "X25519":
			x25519++
		case "scrypt":
			return 0, "is encrypted to a passphrase; cases are encrypted to recipients' keys"
		}
	}
	if x25519 == 0 {
		return 0, "age header names no X25519 recipient"
	}
	return x25519, ""
}
