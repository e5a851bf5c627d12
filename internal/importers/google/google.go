// Package google reads Google's Transparency Report downloads: the two
// government removal CSVs (format google-removals) and the old requests
// for user information CSV (format google-user-data).
package google

import (
	"io"
	"sort"

	"github.com/candor-observatory/candor/internal/importers"
	"github.com/candor-observatory/candor/internal/model"
)

// Slug is the source_id of the Google organisation record.
const Slug = "google"

var (
	Removals = importers.Format{
		Name:        "google-removals",
		Description: "Google government removal requests: google-government-removal-requests.csv (per requestor) or google-government-detailed-removal-requests.csv",
		Open:        func(r io.Reader, f importers.File) (importers.Reader, error) { return NewRemovals(r, f) },
	}
	UserData = importers.Format{
		Name:        "google-user-data",
		Description: "Google requests for user information, 2009-2017: google-user-data-requests.csv",
		Open:        func(r io.Reader, f importers.File) (importers.Reader, error) { return NewUserData(r, f) },
	}
)

// Organisation is the platform record every Google file starts with.
func Organisation(src model.Source) *model.Organisation {
	return &model.Organisation{
		Meta:         model.Meta{Visibility: model.Public, Sources: []model.Source{src}},
		Name:         "Google",
		Kind:         "platform",
		Country:      "US",
		PlatformType: "search",
		Services:     services(),
		Website:      "https://www.google.com",
		Slug:         Slug,
	}
}

// services lists the named services of the product table.
func services() []string {
	seen := map[string]bool{"": true, "Other": true, "The Internet": true}
	var out []string
	for _, s := range products {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
