package google

// The tables below map the values Google publishes onto Candor's own. A
// test checks them against every distinct value in the shipped files, so a
// new value in a future download fails loudly instead of being guessed.

// reasons maps Google's removal reasons (both files' spellings, lower-cased)
// onto SPEC reasons, one to one.
var reasons = map[string]string{
	"adult content":                "adult_content",
	"bullying/harassment":          "bullying_harassment",
	"bullying harassment":          "bullying_harassment",
	"business complaints":          "business_complaints",
	"copyright":                    "copyright",
	"defamation":                   "defamation",
	"drug abuse":                   "drug_abuse",
	"electoral law":                "electoral_law",
	"fraud":                        "fraud",
	"geographical dispute":         "geographical_dispute",
	"government criticism":         "government_criticism",
	"hate speech":                  "hate_speech",
	"impersonation":                "impersonation",
	"national security":            "national_security",
	"obscenity/nudity":             "obscenity_nudity",
	"other":                        "other",
	"privacy and security":         "privacy_and_security",
	"reason unspecified":           "not_specified",
	"unspecified":                  "not_specified",
	"regulated goods and services": "regulated_goods_services",
	"religious offense":            "religious_offense",
	"suicide promotion":            "suicide_promotion",
	"trademark":                    "trademark",
	"violence":                     "violence",
}

// requestor is what Google's "requestor" column says about who asked and
// by what channel.
type requestor struct {
	AuthorityType string
	Channel       string
}

// requestors maps the per-requestor file's requestor values. The channel is
// left empty where the name does not say how the request was made.
var requestors = map[string]requestor{
	"Court Order directed at Google":           {"court", "court_order"},
	"Court Order directed at 3rd party":        {"court", "court_order"},
	"Supression Orders":                        {"court", "court_order"}, // sic: Google's spelling
	"Data Protection Authority":                {"data_protection", "administrative_order"},
	"Information and Communications Authority": {"ict_regulator", "administrative_order"},
	"Consumer Protection Authority":            {"other", "administrative_order"},
	"Government Officials":                     {"government_official", ""},
	"Police":                                   {"police", ""},
	"Military":                                 {"military", ""},
	"Other":                                    {"other", ""},
}

// products maps Google's product names onto one service name, so the two
// removal files (which spell products differently: "Images" and "Google
// Images") land on the same service. Renamed products keep their own name
// (Picasa is not Google Photos); only spellings are merged.
var products = map[string]string{
	"AdSense":              "AdSense",
	"Adsense":              "AdSense",
	"Adwords":              "Google Ads",
	"Google Ads":           "Google Ads",
	"Android Market":       "Android Market",
	"App Engine":           "Google App Engine",
	"Google App Engine":    "Google App Engine",
	"Apps":                 "Google Apps",
	"Google Apps":          "Google Apps",
	"Bard":                 "Bard",
	"Blog Search":          "Blog Search",
	"Blogger":              "Blogger",
	"Books":                "Google Books",
	"Google Books":         "Google Books",
	"Buzz":                 "Google Buzz",
	"Chrome Web Store":     "Chrome Web Store",
	"Cloud Storage":        "Google Cloud Storage",
	"Google Cloud Storage": "Google Cloud Storage",
	"Docs":                 "Google Docs",
	"Google Docs":          "Google Docs",
	"Earth":                "Google Earth",
	"Google Earth":         "Google Earth",
	"Feedburner":           "FeedBurner",
	"FeedBurner":           "FeedBurner",
	"Feedback":             "Feedback",
	"Gmail":                "Gmail",
	"Google Code":          "Google Code",
	"Google Earth, Google Maps, and Panoramio": "Google Earth, Google Maps, and Panoramio",
	"Google Fiber":                       "Google Fiber",
	"Groups":                             "Google Groups",
	"Google Groups":                      "Google Groups",
	"Hangouts":                           "Google Hangouts",
	"Google Hangouts":                    "Google Hangouts",
	"Images":                             "Google Images",
	"Google Images":                      "Google Images",
	"Google Knol":                        "Google Knol",
	"Maps":                               "Google Maps",
	"Google Maps":                        "Google Maps",
	"News":                               "Google News",
	"Google News":                        "Google News",
	"Google Notebook":                    "Google Notebook",
	"Google Photos":                      "Google Photos",
	"Play Apps":                          "Google Play Apps",
	"Google Play Apps":                   "Google Play Apps",
	"Play Music":                         "Google Play Music",
	"Google Play Music":                  "Google Play Music",
	"Product Search":                     "Google Product Search",
	"Google Product Search":              "Google Product Search",
	"Google Profiles":                    "Google Profiles",
	"Public DNS":                         "Google Public DNS",
	"Google Public DNS":                  "Google Public DNS",
	"Google Scholar":                     "Google Scholar",
	"Shopping":                           "Google Shopping",
	"Google Shopping":                    "Google Shopping",
	"Sites":                              "Google Sites",
	"Google Sites":                       "Google Sites",
	"Translate":                          "Google Translate",
	"Google Translate":                   "Google Translate",
	"URL Shortener":                      "Google URL Shortener",
	"Google URL Shortener":               "Google URL Shortener",
	"Google Video Search":                "Google Video Search",
	"Videos":                             "Google Videos",
	"Google Videos":                      "Google Videos",
	"Voice":                              "Google Voice",
	"Google Voice":                       "Google Voice",
	"Plus":                               "Google+",
	"Google+":                            "Google+",
	"Knowledge Graph":                    "Knowledge Graph",
	"Local Photos":                       "Local Photos",
	"Local Posts":                        "Local Posts",
	"Local Reviews":                      "Local Reviews",
	"My Business Website":                "My Business Website",
	"Orkut":                              "Orkut",
	"orkut":                              "Orkut",
	"Other Google Maps related products": "Other Google Maps related products",
	"Panoramio":                          "Panoramio",
	"Picasa":                             "Picasa",
	"Places":                             "Google Places",
	"Street View":                        "Street View",
	"The Internet":                       "The Internet",
	"Web Search":                         "Web Search",
	"Web Search: Autocomplete":           "Web Search Autocomplete",
	"Web Search Autocomplete":            "Web Search Autocomplete",
	"Web Search: Related results":        "Web Search Related results",
	"YouTube":                            "YouTube",
	"iGoogle":                            "iGoogle",
	"ответы":                             "Ответы",
	"Other":                              "Other",
	"Unspecified":                        "",
}

// bodies are requesters that have no country of their own in Google's
// files. They are kept under CLDR's codes for them (EU for the European
// Union's agency, UN for the United Nations, ZZ for an unknown region), with
// the body named in the demand's summary, so totals still add up.
var bodies = map[string]string{
	"Europol":        "EU",
	"EUROPOL":        "EU",
	"Interpol":       "ZZ",
	"null":           "ZZ",
	"United Nations": "UN",
}

// legalProcess is what the user-data file's "Legal Process" says.
type legalProcess struct {
	Type          string
	Channel       string
	AuthorityType string
}

var legalProcesses = map[string]legalProcess{
	"All":                           {"user_data_disclosure", "", ""},
	"Legal Requests":                {"user_data_disclosure", "formal_legal_process", ""},
	"Subpoenas":                     {"user_data_disclosure", "formal_legal_process", ""},
	"Search Warrants":               {"user_data_disclosure", "court_order", "court"},
	"Other Court Orders":            {"user_data_disclosure", "court_order", "court"},
	"Pen Register Orders":           {"realtime_access", "court_order", "court"},
	"Wiretap Orders":                {"realtime_access", "court_order", "court"},
	"Emergency Disclosure Requests": {"user_data_disclosure", "emergency", ""},
	"Preservation Requests":         {"preservation", "", ""},
}
