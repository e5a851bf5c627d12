// Package locale holds the explorer's translations (en, tr, vi) and formats
// numbers, percentages, dates and country names the way each language writes
// them.
package locale

import (
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/cases"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

//go:embed messages/*.toml
var files embed.FS

// Codes are the supported languages, the default first.
var Codes = []string{"en", "tr", "vi"}

var (
	tags    = []language.Tag{language.English, language.Turkish, language.Vietnamese}
	matcher = language.NewMatcher(tags)
	// The messages are compiled into the binary, so they are read once.
	locales = loadLocales()
)

func loadLocales() map[string]*Locale {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	for _, code := range Codes {
		// A feature may keep its messages in a file of its own, name.<code>.toml.
		more, _ := fs.Glob(files, "messages/*."+code+".toml")
		for _, f := range append([]string{"messages/" + code + ".toml"}, more...) {
			if _, err := b.LoadMessageFileFS(files, f); err != nil {
				panic(err)
			}
		}
	}
	ls := map[string]*Locale{}
	for i, code := range Codes {
		ls[code] = newLocale(b, code, tags[i])
		ls[code].patterns()
	}
	return ls
}

// Locale formats text for one language.
type Locale struct {
	Code    string
	Tag     language.Tag
	loc     *i18n.Localizer
	printer *message.Printer
	regions display.Namer
	upper   cases.Caser
	lower   cases.Caser

	// Messages without arguments and the date patterns are looked up once:
	// pages write hundreds of dates.
	plain    sync.Map // id -> string
	collMu   sync.Mutex
	coll     *collate.Collator
	months   [13]string
	datePat  string
	monthPat string
}

// Markers stand for the parts of a date in a pattern taken from a message.
const (
	mDay      = "\x00d"
	mMonth    = "\x00m"
	mMonthNum = "\x00n"
	mYear     = "\x00y"
)

func (l *Locale) patterns() {
	for m := 1; m <= 12; m++ {
		l.months[m] = l.T(fmt.Sprintf("month.%d", m))
	}
	l.datePat = l.T("format.date", "Day", mDay, "Month", mMonth, "MonthNumber", mMonthNum, "Year", mYear)
	l.monthPat = l.T("format.month", "Month", mMonth, "MonthNumber", mMonthNum, "Year", mYear)
}

func (l *Locale) fill(pattern string, t time.Time) string {
	r := strings.NewReplacer(mDay, strconv.Itoa(t.Day()), mMonth, l.months[t.Month()],
		mMonthNum, strconv.Itoa(int(t.Month())), mYear, strconv.Itoa(t.Year()))
	return r.Replace(pattern)
}

func newLocale(b *i18n.Bundle, code string, tag language.Tag) *Locale {
	return &Locale{
		Code:    code,
		Tag:     tag,
		loc:     i18n.NewLocalizer(b, code),
		printer: message.NewPrinter(tag),
		regions: display.Regions(tag),
		upper:   cases.Upper(tag),
		lower:   cases.Lower(tag),
		coll:    collate.New(tag),
	}
}

// Get returns the locale for a code, or English for an unknown one.
func Get(code string) *Locale {
	if l, ok := locales[code]; ok {
		return l
	}
	return locales["en"]
}

// Supported reports whether code is one of Codes.
func Supported(code string) bool { _, ok := locales[code]; return ok }

// Match picks the best supported language for an Accept-Language header.
func Match(acceptLanguage string) string {
	prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(prefs) == 0 {
		return "en"
	}
	_, i, conf := matcher.Match(prefs...)
	if conf == language.No {
		return "en"
	}
	return Codes[i]
}

// T translates a message; args are name, value pairs for its template.
// A missing message shows its id, so a gap is visible rather than blank.
func (l *Locale) T(id string, args ...any) string {
	if len(args) == 0 {
		if s, ok := l.plain.Load(id); ok {
			return s.(string)
		}
	}
	s, err := l.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: pairs(args)})
	if err != nil {
		return id
	}
	if len(args) == 0 {
		l.plain.Store(id, s)
	}
	return s
}

// N translates a message with a plural form chosen by n; the template sees
// the formatted number as .N.
func (l *Locale) N(id string, n int, args ...any) string {
	data := pairs(args)
	data["N"] = l.Int(int64(n))
	s, err := l.loc.Localize(&i18n.LocalizeConfig{MessageID: id, PluralCount: n, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// Has reports whether a message exists in this language's file.
func (l *Locale) Has(id string) bool {
	_, tag, err := l.loc.LocalizeWithTag(&i18n.LocalizeConfig{MessageID: id, PluralCount: 2})
	return err == nil && tag == l.Tag
}

// Label translates an enum value of a kind ("reason", "outcome", …); an
// unknown value is shown as it is.
func (l *Locale) Label(kind, value string) string {
	if value == "" {
		return ""
	}
	id := "enum." + kind + "." + value
	if s := l.T(id); s != id {
		return s
	}
	return value
}

func pairs(args []any) map[string]any {
	m := make(map[string]any, len(args)/2+1)
	for i := 0; i+1 < len(args); i += 2 {
		m[fmt.Sprint(args[i])] = args[i+1]
	}
	return m
}

// Int writes an integer with the language's grouping: 1,234 / 1.234.
func (l *Locale) Int(n int64) string { return l.printer.Sprint(number.Decimal(n)) }

// Decimal writes a number with at most digits fraction digits: 1.234,5 in Turkish.
func (l *Locale) Decimal(f float64, digits int) string {
	return l.printer.Sprint(number.Decimal(f, number.MaxFractionDigits(digits)))
}

// Percent writes a ratio (0.452) as a percentage: 45.2% / %45,2 / 45,2%.
func (l *Locale) Percent(ratio float64) string {
	return l.printer.Sprint(number.Percent(ratio, number.MaxFractionDigits(1)))
}

// Date writes a day: 8 February 2023, 8 Şubat 2023, 8 tháng 2, 2023.
func (l *Locale) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return l.fill(l.datePat, t.UTC())
}

// DateTime writes a day and a UTC time of day.
func (l *Locale) DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return l.Date(t) + " " + t.UTC().Format("15:04") + " UTC"
}

// MonthYear writes a month: February 2023, Şubat 2023, tháng 2, 2023.
func (l *Locale) MonthYear(t time.Time) string {
	return l.fill(l.monthPat, t.UTC())
}

// Period writes a reporting period such as "2023-H1" or "2023-02".
func (l *Locale) Period(p string) string {
	var y, h int
	if _, err := fmt.Sscanf(p, "%d-H%d", &y, &h); err == nil {
		return l.T(fmt.Sprintf("format.half_year.%d", h), "Year", y)
	}
	if t, err := time.Parse("2006-01", p); err == nil {
		return l.MonthYear(t)
	}
	if t, err := time.Parse(time.DateOnly, p); err == nil {
		return l.Date(t)
	}
	return p
}

// Country names an ISO 3166-1 alpha-2 code in this language (Türkiye, Việt Nam).
func (l *Locale) Country(cc string) string {
	if n, ok := countryNames[l.Code][cc]; ok {
		return n
	}
	r, err := language.ParseRegion(cc)
	if err != nil {
		return cc
	}
	if name := l.regions.Name(r); name != "" {
		return name
	}
	return cc
}

// countryNames override names that CLDR data still gives in an older form.
var countryNames = map[string]map[string]string{
	"en": {"TR": "Türkiye"},
}

// Compare orders two strings by the language's alphabet: Turkish puts Ç
// after C and İ after I, Vietnamese orders by letter before tone.
func (l *Locale) Compare(a, b string) int {
	l.collMu.Lock()
	defer l.collMu.Unlock()
	return l.coll.CompareString(a, b)
}

// Upper and Lower map case by the language's rules: Turkish i ↔ İ, ı ↔ I.
func (l *Locale) Upper(s string) string { return l.upper.String(s) }
func (l *Locale) Lower(s string) string { return l.lower.String(s) }

// Name is the language's own name, for the language switch.
func (l *Locale) Name() string {
	n := display.Self.Name(l.Tag)
	return cases.Title(l.Tag).String(strings.TrimSpace(n))
}

// FromRequest picks a page's language: ?lang= (remembered in a cookie),
// then the cookie, then Accept-Language.
func FromRequest(w http.ResponseWriter, r *http.Request) string {
	if q := r.URL.Query().Get("lang"); Supported(q) {
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: q, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
		return q
	}
	if c, err := r.Cookie("lang"); err == nil && Supported(c.Value) {
		return c.Value
	}
	return Match(r.Header.Get("Accept-Language"))
}
