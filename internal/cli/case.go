package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"filippo.io/age"

	"github.com/candor-observatory/candor/internal/cases"
	"github.com/candor-observatory/candor/internal/client"
	"github.com/candor-observatory/candor/internal/model"
)

const caseUsage = `usage: candor case <command> [flags]

  keygen [--out FILE]                       make an age key pair; publish the public key, keep the file
  file --to PLATFORM --kind K --country CC --urgency U --summary TEXT [--details-file F|-] ...
                                            seal a case here and file it
  list [--status S]                         the cases your organisation filed or received
  open ID --identity FILE                   fetch a case and decrypt it here
  reply ID [--text TEXT | --text-file F|-]  seal a message to the case's recipients and send it
  status ID STATUS [--outcome O]            move a case to another status

The server is --server (CANDOR_SERVER), the token --token (CANDOR_TOKEN), the
secret key file --identity (CANDOR_IDENTITY). Cleartext never leaves this machine.`

func runCase(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(env.Stderr, caseUsage)
		if len(args) == 0 {
			return errors.New("a case command is needed")
		}
		return nil
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "keygen":
		return caseKeygen(env, rest)
	case "file":
		return caseFile(ctx, env, rest)
	case "list":
		return caseList(ctx, env, rest)
	case "open":
		return caseOpen(ctx, env, rest)
	case "reply":
		return caseReply(ctx, env, rest)
	case "status":
		return caseStatus(ctx, env, rest)
	}
	return fmt.Errorf("unknown case command %q\n%s", sub, caseUsage)
}

// parseAll parses flags wherever they stand among the positional arguments
// ("open ID --identity F" as well as "open --identity F ID").
func parseAll(fs *flag.FlagSet, env *Env, args []string) ([]string, error) {
	if err := Parse(fs, env, args); err != nil {
		return nil, err
	}
	var pos []string
	for fs.NArg() > 0 {
		pos = append(pos, fs.Arg(0))
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return nil, err
		}
	}
	return pos, nil
}

func caseKeygen(env *Env, args []string) error {
	fs := NewFlags(env, "case keygen", "[--out FILE]")
	out := fs.String("out", "", "write the secret key to this file (mode 0600) instead of standard output")
	if _, err := parseAll(fs, env, args); err != nil {
		return err
	}
	id, err := cases.GenerateIdentity()
	if err != nil {
		return err
	}
	text := fmt.Sprintf("# created: %s\n# public key: %s\n%s\n", time.Now().UTC().Format(time.RFC3339), id.Recipient(), id)
	if *out == "" {
		fmt.Fprint(env.Stdout, text)
	} else {
		f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		if _, err := f.WriteString(text); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.Stderr, "Public key: %s\nAdd it to your organisation's recipients; keep the secret key offline.\n", id.Recipient())
	return nil
}

func clientFlags(fs *flag.FlagSet) (server, token *string) {
	server = fs.String("server", "http://127.0.0.1:8080", "Candor server URL")
	token = fs.String("token", "", "API token (better set CANDOR_TOKEN)")
	return
}

// newCaseClient returns an API client that carries a token: cases are open to
// their parties only.
func newCaseClient(server, token string) (*client.Client, error) {
	if token == "" {
		return nil, errors.New("--token or CANDOR_TOKEN is required")
	}
	c, err := client.New(server, client.WithToken(token))
	if err != nil {
		return nil, fmt.Errorf("--server: %w", err)
	}
	return c, nil
}

// apiError shows the field errors of a rejected request one per line.
func apiError(err error) error {
	var e *client.Error
	if errors.As(err, &e) {
		if ve := e.Validation(); ve != nil {
			return ve
		}
	}
	return err
}

// multi collects a repeated flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(s string) error { *m = append(*m, s); return nil }

func readText(env *Env, inline, file, what string) (string, error) {
	switch {
	case inline != "" && file != "":
		return "", fmt.Errorf("give the %s inline or as a file, not both", what)
	case inline != "":
		return inline, nil
	case file == "-":
		b, err := io.ReadAll(env.Stdin)
		return string(b), err
	case file != "":
		b, err := os.ReadFile(file)
		return string(b), err
	}
	return "", fmt.Errorf("the %s are required (inline, from a file, or - for standard input)", what)
}

func caseFile(ctx context.Context, env *Env, args []string) error {
	fs := NewFlags(env, "case file", "--to PLATFORM --kind KIND --country CC --urgency U --summary TEXT (--details TEXT | --details-file FILE|-)")
	server, token := clientFlags(fs)
	to := fs.String("to", "", "platform organisation id or slug")
	kind := fs.String("kind", "", "one of "+model.CaseKinds.String())
	country := fs.String("country", "", "ISO 3166-1 alpha-2 code")
	urgency := fs.String("urgency", "routine", "routine, urgent or emergency")
	summary := fs.String("summary", "", "public summary that names nobody")
	details := fs.String("details", "", "sealed details")
	detailsFile := fs.String("details-file", "", "read the sealed details from this file (- for standard input)")
	share := fs.Bool("share-with-country-office", false, "consent to the platform's country office reading the case")
	var people, links, evidence, recipients, related multi
	fs.Var(&people, "person", "a person at risk (name, handle); sealed; repeatable")
	fs.Var(&links, "link", "a link; sealed; repeatable")
	fs.Var(&evidence, "evidence", "a file to seal into the case; repeatable")
	fs.Var(&recipients, "recipient", "seal to exactly these keys instead of the published ones; repeatable")
	fs.Var(&related, "related", "id of a related record or case; repeatable")
	if _, err := parseAll(fs, env, args); err != nil {
		return err
	}
	if *to == "" {
		return errors.New("--to is required")
	}
	c, err := newCaseClient(*server, *token)
	if err != nil {
		return err
	}
	text, err := readText(env, *details, *detailsFile, "details")
	if err != nil {
		return err
	}
	d := cases.Details{Text: text, Identities: people, Links: links}
	for _, path := range evidence {
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("--evidence: %w", err)
		}
		d.Evidence = append(d.Evidence, cases.Evidence{Name: filepath.Base(path), Type: mime.TypeByExtension(filepath.Ext(path)), Data: b})
	}
	keys, err := c.CaseRecipients(ctx, *to)
	if err != nil {
		return apiError(err)
	}
	to2 := recipients
	if len(to2) == 0 {
		to2 = append(append(to2, keys.Platform.Recipients...), keys.Filer.Recipients...)
		if *share {
			to2 = append(to2, keys.Platform.CountryOfficeRecipients...)
		}
	}
	if len(keys.Platform.Recipients) == 0 && !*share {
		return fmt.Errorf("%s has published no case-handler keys; it cannot read a case yet", keys.Platform.Name)
	}
	sealed, err := cases.SealJSON(d, to2)
	if err != nil {
		return err
	}
	v, err := c.FileCase(ctx, cases.FileRequest{AddressedTo: keys.Platform.ID, Kind: *kind, Country: strings.ToUpper(*country),
		Urgency: *urgency, Summary: *summary, Sealed: sealed, Recipients: to2, ShareWithCountryOffice: *share, Related: related})
	if err != nil {
		return apiError(err)
	}
	fmt.Fprintf(env.Stderr, "Filed to %s, sealed to %d keys. Acknowledgement due %s.\n", keys.Platform.Name, len(to2), v.Clocks[0].Due.Format(time.RFC3339))
	fmt.Fprintln(env.Stdout, v.ID)
	return nil
}

func caseList(ctx context.Context, env *Env, args []string) error {
	fs := NewFlags(env, "case list", "[--status STATUS]")
	server, token := clientFlags(fs)
	status := fs.String("status", "", "only cases with this status")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseAll(fs, env, args); err != nil {
		return err
	}
	c, err := newCaseClient(*server, *token)
	if err != nil {
		return err
	}
	all, err := c.Cases(ctx, *status)
	if err != nil {
		return apiError(err)
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(all)
	}
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tURGENCY\tKIND\tCOUNTRY\tFILED\tOVERDUE\tSUMMARY")
	for _, v := range all {
		var late []string
		for _, k := range v.Clocks {
			if k.Overdue {
				late = append(late, string(k.Milestone))
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v.ID, v.Status, v.Urgency, v.Kind, v.Country,
			v.FiledAt.Format("2006-01-02 15:04"), strings.Join(late, ","), truncate(v.Summary, 60))
	}
	return tw.Flush()
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func readIdentities(path string) ([]age.Identity, error) {
	if path == "" {
		return nil, errors.New("--identity or CANDOR_IDENTITY (your secret key file) is required")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--identity: %w", err)
	}
	defer f.Close()
	return cases.ParseIdentities(f)
}

func caseOpen(ctx context.Context, env *Env, args []string) error {
	fs := NewFlags(env, "case open", "ID --identity FILE [--save-evidence DIR]")
	server, token := clientFlags(fs)
	identity := fs.String("identity", "", "your secret key file (AGE-SECRET-KEY-1...)")
	saveTo := fs.String("save-evidence", "", "write the case's evidence files into this directory")
	pos, err := parseAll(fs, env, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("usage: candor case open ID --identity FILE")
	}
	ids, err := readIdentities(*identity)
	if err != nil {
		return err
	}
	c, err := newCaseClient(*server, *token)
	if err != nil {
		return err
	}
	v, err := c.Case(ctx, pos[0])
	if err != nil {
		return apiError(err)
	}
	var d cases.Details
	if err := cases.OpenJSON(v.Sealed, &d, ids...); err != nil {
		return err
	}
	w := env.Stdout
	fmt.Fprintf(w, "Case %s: %s, %s %s in %s\n", v.ID, v.Status, v.Urgency, v.Kind, v.Country)
	fmt.Fprintf(w, "Filed by %s to %s at %s", v.FiledBy, v.AddressedTo, v.FiledAt.Format(time.RFC3339))
	if v.ShareWithCountryOffice {
		fmt.Fprint(w, " (shared with the country office)")
	}
	fmt.Fprintln(w)
	for _, k := range v.Clocks {
		state := "due " + k.Due.Format(time.RFC3339)
		if k.Reached != nil {
			state = "reached " + k.Reached.Format(time.RFC3339)
		}
		if k.Overdue {
			state += " OVERDUE"
		}
		fmt.Fprintf(w, "  %-12s %s\n", k.Milestone, state)
	}
	for _, r := range v.Reminders {
		fmt.Fprintf(w, "  reminder: %s\n", r.Message)
	}
	fmt.Fprintf(w, "Summary (public): %s\n", v.Summary)
	if v.Outcome != "" {
		fmt.Fprintf(w, "Outcome (public): %s\n", v.Outcome)
	}
	fmt.Fprintf(w, "\nDetails (sealed):\n%s\n", strings.TrimRight(d.Text, "\n"))
	for _, p := range d.Identities {
		fmt.Fprintf(w, "Person at risk: %s\n", p)
	}
	for _, l := range d.Links {
		fmt.Fprintf(w, "Link: %s\n", l)
	}
	for _, e := range d.Evidence {
		fmt.Fprintf(w, "Evidence: %s (%s, %d bytes)\n", e.Name, e.Type, len(e.Data))
		if *saveTo != "" {
			path := filepath.Join(*saveTo, filepath.Base(e.Name))
			if err := os.WriteFile(path, e.Data, 0o600); err != nil {
				return err
			}
		}
	}
	if len(v.Messages) > 0 {
		fmt.Fprintln(w, "\nMessages (sealed):")
	}
	for _, m := range v.Messages {
		var msg cases.Message
		text := ""
		if err := cases.OpenJSON(m.Sealed, &msg, ids...); err != nil {
			text = "(cannot open: " + err.Error() + ")"
		} else {
			text = msg.Text
		}
		fmt.Fprintf(w, "[%s] %s: %s\n", m.At.Format(time.RFC3339), m.From, text)
	}
	if len(v.Next) > 0 {
		fmt.Fprintf(w, "\nYou may move it to: %s\n", strings.Join(v.Next, ", "))
	}
	return nil
}

func caseReply(ctx context.Context, env *Env, args []string) error {
	fs := NewFlags(env, "case reply", "ID (--text TEXT | --text-file FILE|-)")
	server, token := clientFlags(fs)
	text := fs.String("text", "", "the message")
	textFile := fs.String("text-file", "", "read the message from this file (- for standard input)")
	pos, err := parseAll(fs, env, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("usage: candor case reply ID --text TEXT")
	}
	body, err := readText(env, *text, *textFile, "message")
	if err != nil {
		return err
	}
	c, err := newCaseClient(*server, *token)
	if err != nil {
		return err
	}
	v, err := c.Case(ctx, pos[0])
	if err != nil {
		return apiError(err)
	}
	sealed, err := cases.SealJSON(cases.Message{Text: body}, v.Recipients)
	if err != nil {
		return err
	}
	if v, err = c.ReplyCase(ctx, v.ID, sealed); err != nil {
		return apiError(err)
	}
	fmt.Fprintf(env.Stderr, "Message sealed to %d keys and sent; the case has %d messages.\n", len(v.Recipients), len(v.Messages))
	return nil
}

func caseStatus(ctx context.Context, env *Env, args []string) error {
	fs := NewFlags(env, "case status", "ID STATUS [--outcome OUTCOME]")
	server, token := clientFlags(fs)
	outcome := fs.String("outcome", "", "public outcome: "+model.CaseOutcomes.String())
	pos, err := parseAll(fs, env, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return errors.New("usage: candor case status ID STATUS [--outcome OUTCOME]")
	}
	c, err := newCaseClient(*server, *token)
	if err != nil {
		return err
	}
	v, err := c.SetCaseStatus(ctx, pos[0], pos[1], *outcome)
	if err != nil {
		return apiError(err)
	}
	fmt.Fprintf(env.Stdout, "%s %s\n", v.ID, v.Status)
	return nil
}
