// Package country turns the country names found in public data files into
// ISO 3166-1 alpha-2 codes.
package country

import (
	"strings"

	"github.com/candor-observatory/candor/internal/fold"
)

// aliases are the other spellings the shipped data files use.
var aliases = map[string]string{
	"viet nam": "VN", "turkiye": "TR", "iran (islamic republic of)": "IR", "russian federation": "RU",
	"syrian arab republic": "SY", "tanzania, united republic of": "TZ", "venezuela (bolivarian republic of)": "VE",
	"united states of america": "US", "united states of america (usa)": "US", "usa": "US",
	"palestine, state of": "PS", "palestinian territories": "PS", "state of palestine": "PS",
	"congo": "CG", "republic of the congo": "CG", "congo (democratic republic of the)": "CD",
	"democratic republic of (drc)": "CD", "democratic republic of the congo": "CD", "drc": "CD",
	"north korea": "KP", "south korea": "KR", "somaliland": "SO", "great britain": "GB", "united kingdom": "GB",
	"ivory coast": "CI", "ivory coast (cote d'ivoire)": "CI", "kyrgyz republic (kyrgyzstan)": "KG",
	"myanmar/burma": "MM", "macedonia": "MK", "cape verde": "CV", "timor leste": "TL", "east timor": "TL",
	"brunei darussalam": "BN", "czech republic": "CZ", "federated states of micronesia": "FM",
	"bonaire, sint eustatius and saba": "BQ", "bonaire/sint eustatius/saba": "BQ", "kosovo": "XK",
	"saint kitts and nevis": "KN", "saint lucia": "LC", "saint martin": "MF", "saint vincent and the grenadines": "VC",
	"turks and caicos islands": "TC", "sao tome and principe": "ST", "swaziland": "SZ", "gambia": "GM", "the gambia": "GM",
	"lao people's democratic republic": "LA", "moldova, republic of": "MD", "bolivia (plurinational state of)": "BO",
	"korea, republic of": "KR", "central african republic": "CF", "korea (democratic people's republic of)": "KP", "burma": "MM",
}

// byName and bySqueezed find codes by folded name, and by folded name
// without spaces.
var byName, bySqueezed = nameIndex()

func key(s string) string {
	s = fold.String(strings.TrimSpace(s))
	s = strings.ReplaceAll(s, "&", "and")
	s = strings.ReplaceAll(s, "-", " ")
	s = strings.Join(strings.Fields(s), " ")
	return s
}

func nameIndex() (byName, bySqueezed map[string]string) {
	byName, bySqueezed = map[string]string{}, map[string]string{}
	for code, name := range tabNames {
		byName[key(name)] = code
		// "Myanmar (Burma)": both the name and the one in brackets.
		if i := strings.Index(name, " ("); i > 0 && strings.HasSuffix(name, ")") {
			if _, ok := byName[key(name[:i])]; !ok {
				byName[key(name[:i])] = code
			}
			byName[key(name[i+2:len(name)-1])] = code
		}
		if strings.HasPrefix(name, "St ") {
			byName[key("Saint "+name[3:])] = code
		}
	}
	for name, code := range aliases {
		byName[key(name)] = code
	}
	for name, code := range byName {
		bySqueezed[strings.ReplaceAll(name, " ", "")] = code
	}
	bySqueezed["democraticrepubliccongo"] = "CD"
	return byName, bySqueezed
}

// Code returns the ISO code of a country name, or of a code itself.
func Code(name string) (string, bool) {
	n := strings.TrimSpace(name)
	if len(n) == 2 && strings.ToUpper(n) == n {
		if _, ok := tabNames[n]; ok || n == "XK" {
			return n, true
		}
	}
	k := key(n)
	if c, ok := byName[k]; ok {
		return c, true
	}
	if c, ok := bySqueezed[strings.ReplaceAll(k, " ", "")]; ok {
		return c, true // "SriLanka", "DemocraticRepublicCongo"
	}
	// "Venezuela, Bolivarian Republic of", "Bolivia (Plurinational State of)".
	if i := strings.IndexAny(k, ",("); i > 0 {
		if c, ok := byName[strings.TrimSpace(k[:i])]; ok {
			return c, true
		}
	}
	return "", false
}
