// Package platform maps the domains and OONI tests of a measurement to the
// platform (an organisation slug such as "x" or "meta") and the
// service within it ("instagram", "youtube").
package platform

import "strings"

// Ref names a platform and one of its services.
type Ref struct {
	Platform string
	Service  string
}

// Name is the label shown for a platform slug.
var Name = map[string]string{
	"x":         "X/Twitter",
	"meta":      "Meta",
	"google":    "Google",
	"telegram":  "Telegram",
	"signal":    "Signal",
	"tiktok":    "TikTok",
	"wikimedia": "Wikimedia",
	"microsoft": "Microsoft",
	"reddit":    "Reddit",
	"vk":        "VK",
	"discord":   "Discord",
	"zalo":      "Zalo",
}

// domains maps registrable domains to their platform and service. A host
// matches a domain when it equals it or ends with "." + domain.
var domains = map[string]Ref{
	"twitter.com": {"x", "twitter"}, "x.com": {"x", "twitter"}, "t.co": {"x", "twitter"},
	"twimg.com": {"x", "twitter"}, "twitter.co": {"x", "twitter"}, "periscope.tv": {"x", "periscope"},

	"facebook.com": {"meta", "facebook"}, "fb.com": {"meta", "facebook"}, "fbcdn.net": {"meta", "facebook"},
	"facebook.net": {"meta", "facebook"}, "fbsbx.com": {"meta", "facebook"}, "fb.me": {"meta", "facebook"},
	"messenger.com": {"meta", "messenger"}, "m.me": {"meta", "messenger"},
	"instagram.com": {"meta", "instagram"}, "cdninstagram.com": {"meta", "instagram"}, "instagr.am": {"meta", "instagram"},
	"whatsapp.com": {"meta", "whatsapp"}, "whatsapp.net": {"meta", "whatsapp"}, "wa.me": {"meta", "whatsapp"},
	"threads.net": {"meta", "threads"}, "threads.com": {"meta", "threads"},

	"youtube.com": {"google", "youtube"}, "youtu.be": {"google", "youtube"}, "googlevideo.com": {"google", "youtube"},
	"ytimg.com": {"google", "youtube"}, "youtube-nocookie.com": {"google", "youtube"}, "ggpht.com": {"google", "youtube"},
	"google.com": {"google", "search"}, "google.com.tr": {"google", "search"}, "google.com.vn": {"google", "search"},
	"blogger.com": {"google", "blogger"}, "blogspot.com": {"google", "blogger"},

	"telegram.org": {"telegram", "telegram"}, "t.me": {"telegram", "telegram"}, "telegram.me": {"telegram", "telegram"},
	"telesco.pe": {"telegram", "telegram"},

	"signal.org": {"signal", "signal"}, "whispersystems.org": {"signal", "signal"}, "signal.me": {"signal", "signal"},
	"signal.art": {"signal", "signal"},

	"tiktok.com": {"tiktok", "tiktok"}, "tiktokv.com": {"tiktok", "tiktok"}, "tiktokcdn.com": {"tiktok", "tiktok"},
	"musical.ly": {"tiktok", "tiktok"}, "byteoversea.com": {"tiktok", "tiktok"}, "ibytedtos.com": {"tiktok", "tiktok"},

	"wikipedia.org": {"wikimedia", "wikipedia"}, "wikimedia.org": {"wikimedia", "wikipedia"},
	"wikidata.org": {"wikimedia", "wikidata"}, "wikinews.org": {"wikimedia", "wikinews"},

	"linkedin.com": {"microsoft", "linkedin"}, "skype.com": {"microsoft", "skype"},
	"reddit.com": {"reddit", "reddit"}, "redd.it": {"reddit", "reddit"},
	"vk.com": {"vk", "vk"}, "discord.com": {"discord", "discord"}, "discord.gg": {"discord", "discord"},
	"zalo.me": {"zalo", "zalo"},
}

// tests maps OONI tests that probe one platform.
var tests = map[string]Ref{
	"whatsapp":           {"meta", "whatsapp"},
	"facebook_messenger": {"meta", "messenger"},
	"telegram":           {"telegram", "telegram"},
	"signal":             {"signal", "signal"},
}

// ForHost returns the platform a host name belongs to.
func ForHost(host string) (Ref, bool) {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	for h != "" {
		if r, ok := domains[h]; ok {
			return r, true
		}
		i := strings.IndexByte(h, '.')
		if i < 0 {
			break
		}
		h = h[i+1:]
	}
	return Ref{}, false
}

// ForTest returns the platform an OONI test is about, for the tests that
// probe a single app.
func ForTest(testName string) (Ref, bool) {
	r, ok := tests[testName]
	return r, ok
}

// For maps a measurement: the test decides first, then the domain.
func For(testName, host string) (Ref, bool) {
	if r, ok := ForTest(testName); ok {
		return r, true
	}
	if host == "" {
		return Ref{}, false
	}
	return ForHost(host)
}
