package model_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"

	"github.com/candor-observatory/candor/internal/model"
)

func seal(t *testing.T, plaintext string, armored bool, to ...age.Recipient) string {
	t.Helper()
	var buf bytes.Buffer
	var out io.Writer = &buf
	var aw io.WriteCloser
	if armored {
		aw = armor.NewWriter(&buf)
		out = aw
	}
	w, err := age.Encrypt(out, to...)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, plaintext)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if armored {
		aw.Close()
		return buf.String()
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

func identity(t *testing.T) *age.X25519Identity {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func validCase(t *testing.T) *model.Case {
	a, b := identity(t), identity(t)
	return &model.Case{
		FiledBy: "org-cso", AddressedTo: "org-platform", Kind: "account_suspension", Country: "TR",
		Urgency: "emergency", Summary: "Journalist's account suspended after mass reporting",
		Sealed:     seal(t, "name: Ayşe; handle: @x", true, a.Recipient(), b.Recipient()),
		Recipients: []string{a.Recipient().String(), b.Recipient().String()},
		FiledAt:    time.Date(2023, 5, 13, 10, 0, 0, 0, time.UTC),
	}
}

func validate(r model.Record) map[string]string {
	var v model.Validator
	r.Validate(&v)
	out := map[string]string{}
	var ve *model.ValidationError
	if errors.As(v.Err(), &ve) {
		for _, e := range ve.Errors {
			out[e.Field] = e.Message
		}
	}
	return out
}

func TestCaseValid(t *testing.T) {
	c := validCase(t)
	if errs := validate(c); len(errs) > 0 {
		t.Fatalf("valid case refused: %v", errs)
	}
	// Law numbers, dates and counts are not personal data.
	c.Summary = "Removal under Law No. 5651 on 2023-05-13 of 409 posts; 4 accounts restricted"
	if errs := validate(c); len(errs) > 0 {
		t.Fatalf("plain summary refused: %v", errs)
	}
	if c.Status != "filed" || c.Visibility != model.Sealed {
		t.Errorf("defaults: status %q visibility %q", c.Status, c.Visibility)
	}
	if model.New("cases") == nil {
		t.Error("cases is not a registered collection")
	}
	// base64 of the binary form is accepted too.
	id := identity(t)
	c.Sealed = seal(t, "x", false, id.Recipient())
	c.Recipients = []string{id.Recipient().String()}
	if errs := validate(c); len(errs) > 0 {
		t.Fatalf("base64 ciphertext refused: %v", errs)
	}
}

func TestCaseInvalid(t *testing.T) {
	pass, err := age.NewScryptRecipient("pw")
	if err != nil {
		t.Fatal(err)
	}
	pass.SetWorkFactor(10)
	other := identity(t)
	for _, tc := range []struct {
		name, field, want string
		edit              func(c *model.Case)
	}{
		{"plaintext", "sealed", "plaintext is refused", func(c *model.Case) { c.Sealed = "name: Ayşe" }},
		{"base64 plaintext", "sealed", "not an age v1 file", func(c *model.Case) {
			c.Sealed = base64.StdEncoding.EncodeToString([]byte("name: Ayşe"))
		}},
		{"empty", "sealed", "is required", func(c *model.Case) { c.Sealed = "" }},
		{"truncated armor", "sealed", "no end line", func(c *model.Case) { c.Sealed = c.Sealed[:60] }},
		{"passphrase", "sealed", "passphrase", func(c *model.Case) { c.Sealed = seal(t, "x", true, pass) }},
		{"key count", "sealed", "encrypted to 1 keys but recipients lists 2", func(c *model.Case) {
			c.Sealed = seal(t, "x", true, other.Recipient())
		}},
		{"bad recipient", "recipients[1]", "age X25519", func(c *model.Case) { c.Recipients[1] = "ssh-ed25519 AAAA" }},
		{"no recipients", "recipients", "is required", func(c *model.Case) { c.Recipients = nil }},
		{"kind", "kind", "not one of", func(c *model.Case) { c.Kind = "complaint" }},
		{"urgency", "urgency", "is required", func(c *model.Case) { c.Urgency = "" }},
		{"status", "status", "not one of", func(c *model.Case) { c.Status = "open" }},
		{"country", "country", "ISO 3166", func(c *model.Case) { c.Country = "Turkey" }},
		{"public", "visibility", "always", func(c *model.Case) { c.Visibility = model.Public }},
		{"summary", "summary", "is required", func(c *model.Case) { c.Summary = " " }},
		{"filed_at", "filed_at", "is required", func(c *model.Case) { c.FiledAt = time.Time{} }},
		{"ack before filing", "acknowledged_at", "before filed_at", func(c *model.Case) {
			x := c.FiledAt.Add(-time.Minute)
			c.AcknowledgedAt = &x
		}},
		{"message plaintext", "messages[0].sealed", "plaintext", func(c *model.Case) {
			c.Messages = []model.CaseMessage{{From: "org-cso", At: c.FiledAt, Sealed: "hello"}}
		}},
		{"outcome", "outcome", "not one of", func(c *model.Case) { c.Outcome = "fixed" }},
		{"handle in summary", "summary", "account handle", func(c *model.Case) { c.Summary = "Account @ayse_k suspended" }},
		{"email in summary", "summary", "e-mail", func(c *model.Case) { c.Summary = "Write to ayse@example.org" }},
		{"link in summary", "summary", "link", func(c *model.Case) { c.Summary = "Post https://x.com/a/status/1 removed" }},
		{"phone in summary", "summary", "phone", func(c *model.Case) { c.Summary = "Call +90 532 123 45 67" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := validCase(t)
			tc.edit(c)
			errs := validate(c)
			if !strings.Contains(errs[tc.field], tc.want) {
				t.Errorf("errors %v: want %s: ...%s...", errs, tc.field, tc.want)
			}
		})
	}
}

func TestCaseIndexAndPublicHoldNothingSealed(t *testing.T) {
	c := validCase(t)
	c.Sealed = seal(t, "MARKER", true, identity(t).Recipient(), identity(t).Recipient())
	c.Messages = []model.CaseMessage{{From: "org-platform", At: c.FiledAt.Add(time.Hour), Sealed: c.Sealed}}
	ix := c.Index()
	for _, s := range ix.Text {
		if s != c.Summary {
			t.Errorf("index text holds %q; only the summary may be there", s)
		}
	}
	if ix.Owner != "org-cso" || ix.Platform != "org-platform" || ix.Country != "TR" {
		t.Errorf("index %+v", ix)
	}
	b, _ := json.Marshal(c.Public())
	for _, secret := range append([]string{c.Sealed}, c.Recipients...) {
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("public view holds %q", secret[:20])
		}
	}
	if !bytes.Contains(b, []byte(`"from":"org-platform"`)) || !bytes.Contains(b, []byte(c.Summary)) {
		t.Errorf("public view lost public fields: %s", b)
	}
	if c.Messages[0].Sealed == "" || c.Sealed == "" {
		t.Error("Public changed the case it copied")
	}
}

func TestOrganisationCaseTargets(t *testing.T) {
	o := &model.Organisation{Name: "X", Kind: "platform", PlatformType: "social_media",
		CountryOfficeRecipients: []string{"age1nope"},
		CaseTargets:             &model.CaseTargets{Emergency: &model.CaseTarget{AcknowledgeHours: 1, RespondHours: 0.5, ResolveHours: 72}}}
	errs := validate(o)
	if errs["country_office_recipients[0]"] == "" || errs["case_targets.emergency.respond_hours"] == "" {
		t.Errorf("errors %v", errs)
	}
	if got := o.CaseTargets.Target("emergency").AcknowledgeHours; got != 1 {
		t.Errorf("emergency target %v", got)
	}
	if o.CaseTargets.Target("routine") != nil {
		t.Error("routine target invented")
	}
}
