// Package citizenlab reads the Citizen Lab URL test lists that OONI probes
// use, to tag measured domains with a category (news, human rights,
// social networking…). The lists are CC BY-NC-SA 4.0: Candor keeps only
// the domain → category tags it derives and credits the lists; it does not
// serve or redistribute the lists themselves.
package citizenlab

import (
	"fmt"
	"net/url"
	"path/filepath"
	"sort"
	"strings"

	"github.com/candor-observatory/candor/internal/rowfile"
)

// Attribution is the credit the lists ask for.
const Attribution = "Citizen Lab and Others. 2014. URL Testing Lists Intended for Discovering Website Censorship. CC BY-NC-SA 4.0."

// Tag is a category a list gives a domain.
type Tag struct {
	Domain      string
	Category    string // code, e.g. "NEWS"
	Description string // e.g. "News Media"
	List        string // "global" or a country code in lower case
	File        string
	Line        int
	SHA256      string
}

// Tags maps domains to their categories.
type Tags struct {
	byDomain map[string][]Tag
	Problems []error
}

// New returns an empty set of tags.
func New() *Tags { return &Tags{byDomain: map[string][]Tag{}} }

// ReadFiles loads country or global list files.
func ReadFiles(paths ...string) (*Tags, error) {
	t := New()
	for _, p := range paths {
		if err := t.ReadFile(p); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// ReadFile adds one list (tr.csv, vn.csv, global.csv).
func (t *Tags) ReadFile(path string) error {
	f, err := rowfile.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	list := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	var h rowfile.Header
	return rowfile.CSV(f, func(line int, rec []string) error {
		if h == nil {
			h = rowfile.NewHeader(rec)
			if !h.Has("url", "category_code") {
				return fmt.Errorf("%s:%d: not a test list: want url and category_code columns", f.Name, line)
			}
			return nil
		}
		raw := h.Get(rec, "url")
		d := Domain(raw)
		if d == "" {
			t.Problems = append(t.Problems, fmt.Errorf("%s:%d: url: %q has no host", f.Name, line, raw))
			return nil
		}
		tag := Tag{Domain: d, Category: h.Get(rec, "category_code"), Description: h.Get(rec, "category_description"),
			List: list, File: f.Name, Line: line, SHA256: f.SHA256}
		if tag.Category == "" {
			t.Problems = append(t.Problems, fmt.Errorf("%s:%d: category_code: is empty", f.Name, line))
			return nil
		}
		t.byDomain[d] = append(t.byDomain[d], tag)
		return nil
	})
}

// Domain is the host of a URL without "www.", as tags are keyed.
func Domain(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Hostname() == "" {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}

// Lookup returns the tags of a host, matching its parent domains too
// (upload.twitter.com is tagged like twitter.com when it has none of its own).
func (t *Tags) Lookup(host string) []Tag {
	h := strings.TrimPrefix(strings.ToLower(strings.TrimSuffix(host, ".")), "www.")
	for h != "" {
		if tags := t.byDomain[h]; len(tags) > 0 {
			return tags
		}
		i := strings.IndexByte(h, '.')
		if i < 0 || !strings.Contains(h[i+1:], ".") {
			return nil
		}
		h = h[i+1:]
	}
	return nil
}

// Categories returns the distinct category codes of a host, country lists
// first when cc is given.
func (t *Tags) Categories(host, cc string) []string {
	seen := map[string]bool{}
	var local, global []string
	for _, tag := range t.Lookup(host) {
		if seen[tag.Category] {
			continue
		}
		seen[tag.Category] = true
		if strings.EqualFold(tag.List, cc) {
			local = append(local, tag.Category)
		} else {
			global = append(global, tag.Category)
		}
	}
	sort.Strings(local)
	sort.Strings(global)
	return append(local, global...)
}

// Len is the number of domains tagged.
func (t *Tags) Len() int { return len(t.byDomain) }

// Each calls fn for every tag, in domain order.
func (t *Tags) Each(fn func(Tag)) {
	ds := make([]string, 0, len(t.byDomain))
	for d := range t.byDomain {
		ds = append(ds, d)
	}
	sort.Strings(ds)
	for _, d := range ds {
		for _, tag := range t.byDomain[d] {
			fn(tag)
		}
	}
}
