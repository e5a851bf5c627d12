package api

func init() {
	AddRoutes(
		Route{Method: "GET", Pattern: "/api/v1/openapi.json", Summary: "This OpenAPI 3.1 document", Handle: (*Handler).openAPI, Tag: "meta"},
		Route{Method: "GET", Pattern: "/api/v1/stats/compliance", Summary: "Demand counts, items requested and actioned, and compliance rate per group", Handle: (*Handler).compliance, Tag: "stats",
			Params: []Param{{"group_by", "comma-separated: country, platform, period, reason, authority_type, granularity"},
				{"country", "ISO 3166-1 alpha-2"}, {"platform", "platform organisation id"}, {"reason", "demand reason"},
				{"authority_type", "authority type"}, {"from", "RFC 3339 time or YYYY-MM-DD"}, {"to", "RFC 3339 time or YYYY-MM-DD"}, {"format", "json or csv"}}},
		Route{Method: "GET", Pattern: "/api/v1/{collection}", Summary: "List current records, newest first", Handle: (*Handler).list, Tag: "records", Params: listParams},
		Route{Method: "POST", Pattern: "/api/v1/{collection}", Summary: "Create one record", Write: true, Handle: (*Handler).create, Tag: "records"},
		Route{Method: "POST", Pattern: "/api/v1/{collection}/batch", Summary: "Create up to 1000 records atomically: all or none", Write: true, Handle: (*Handler).batch, Tag: "records"},
		Route{Method: "GET", Pattern: "/api/v1/{collection}/{id}", Summary: "Get a record (the current version, or ?version=N)", Handle: (*Handler).get, Tag: "records",
			Params: []Param{{"version", "version number; the current one by default"}}},
		Route{Method: "PUT", Pattern: "/api/v1/{collection}/{id}", Summary: "Correct a record: writes version N+1", Write: true, Handle: (*Handler).update, Tag: "records"},
		Route{Method: "GET", Pattern: "/api/v1/{collection}/{id}/versions", Summary: "List a record's versions", Handle: (*Handler).versions, Tag: "records"},
	)
}

var listParams = []Param{
	{"country", "ISO 3166-1 alpha-2"}, {"platform", "platform organisation id"},
	{"type", "record type (demand types, law kinds, outcomes…); repeat or comma-separate for any of"},
	{"from", "records overlapping from this time (RFC 3339 or YYYY-MM-DD)"}, {"to", "records starting up to this time"},
	{"q", "full text, accent- and case-insensitive (Da Nang finds Đà Nẵng)"}, {"ref", "parent record id (a response's demand)"},
	{"source_id", "the submitter's own id"}, {"cursor", "opaque cursor from next_cursor"},
	{"limit", "page size, 1 to 1000 (default 100)"}, {"order", "newest (default) or oldest"}, {"format", "json, ndjson or csv"},
}
