package api

// Routes lists every operation of the API, in one place: the same table
// registers the handlers and writes the OpenAPI document.
func Routes() []Route {
	filters := []Param{
		{"probe_cc", "ISO 3166-1 alpha-2 (or country)"}, {"probe_asn", "network, AS1234 or 1234"},
		{"test_name", "OONI test, e.g. web_connectivity"}, {"domain", "measured host"},
		{"platform", "platform slug, e.g. twitter, meta, google"},
		{"category_code", "Citizen Lab category of the domain, e.g. NEWS, GRP"},
		{"since", "measurements from this time (RFC 3339 or YYYY-MM-DD; or from)"},
		{"until", "measurements before this time (or to)"},
	}
	return []Route{
		{Method: "GET", Pattern: "/api/v1/openapi.json", Summary: "This OpenAPI 3.1 document", Handle: (*Handler).openAPI, Tag: "meta"},
		{Method: "GET", Pattern: "/api/v1/stats/compliance", Summary: "Demand counts, items requested and actioned, and compliance rate per group", Handle: (*Handler).compliance, Tag: "stats",
			Params: []Param{{"group_by", "comma-separated: country, platform, period, reason, authority_type, granularity"},
				{"country", "ISO 3166-1 alpha-2"}, {"platform", "platform organisation id"}, {"reason", "demand reason"},
				{"authority_type", "authority type"}, {"from", "RFC 3339 time or YYYY-MM-DD"}, {"to", "RFC 3339 time or YYYY-MM-DD"}, {"format", "json or csv"}}},
		{Method: "GET", Pattern: "/api/v1/{collection}", Summary: "List current records, newest first", Handle: (*Handler).list, Tag: "records", Params: listParams},
		{Method: "POST", Pattern: "/api/v1/{collection}", Summary: "Create one record", Write: true, Handle: (*Handler).create, Tag: "records"},
		{Method: "POST", Pattern: "/api/v1/{collection}/batch", Summary: "Create up to 1000 records atomically: all or none", Write: true, Handle: (*Handler).batch, Tag: "records"},
		{Method: "GET", Pattern: "/api/v1/{collection}/{id}", Summary: "Get a record (the current version, or ?version=N)", Handle: (*Handler).get, Tag: "records",
			Params: []Param{{"version", "version number; the current one by default"}}},
		{Method: "PUT", Pattern: "/api/v1/{collection}/{id}", Summary: "Correct a record: writes version N+1", Write: true, Handle: (*Handler).update, Tag: "records"},
		{Method: "GET", Pattern: "/api/v1/{collection}/{id}/versions", Summary: "List a record's versions", Handle: (*Handler).versions, Tag: "records"},

		// The verifiable log.
		{Method: "GET", Pattern: "/api/v1/{collection}/{id}/proof", Tag: "ledger",
			Summary: "Where a record version is in the verifiable log: leaf index, leaf, signed checkpoint, inclusion proof and a c2sp.org/tlog-proof receipt",
			Handle:  (*Handler).proof, Params: []Param{{"version", "version number; the current one by default"}}},
		{Method: "GET", Pattern: "/api/v1/{collection}/{id}/evidence", Tag: "ledger",
			Summary: "An evidence bundle of a record version: the record, its source hashes, its c2sp.org/tlog-proof and the cosigned checkpoint, to verify offline with candor verify --bundle",
			Handle:  (*Handler).recordEvidence, Params: []Param{{"version", "version number; the current one by default"}}},
		{Method: "GET", Pattern: "/api/v1/evidence", Tag: "ledger",
			Summary: "An evidence bundle of several record versions, all proved against one checkpoint",
			Handle:  (*Handler).evidence, Params: []Param{{"record", "collection/id or collection/id@version; repeat, up to 1000"}}},

		// Sealed cases between civil society and platforms.
		{Method: "GET", Pattern: "/api/v1/cases", Summary: "List the cases the caller's organisation filed or received", Handle: (*Handler).listCases, Tag: "cases",
			Params: []Param{{"status", "case status"}, {"cursor", "opaque cursor from next_cursor"}, {"limit", "page size, 1 to 1000 (default 100)"}}},
		{Method: "POST", Pattern: "/api/v1/cases", Summary: "File a case (civil society): public fields and age ciphertext", Write: true, Handle: (*Handler).fileCase, Tag: "cases"},
		{Method: "POST", Pattern: "/api/v1/cases/batch", Summary: "Refused (403): cases are filed one at a time, with their clocks set by the server", Write: true, Handle: (*Handler).caseNotHere, Tag: "cases"},
		{Method: "GET", Pattern: "/api/v1/cases/recipients", Summary: "The keys a case to a platform may be sealed to", Handle: (*Handler).caseRecipients, Tag: "cases",
			Params: []Param{{"to", "platform organisation id or slug"}}},
		{Method: "GET", Pattern: "/api/v1/cases/{id}", Summary: "A case with its clocks, to its parties only", Handle: (*Handler).getCase, Tag: "cases",
			Params: []Param{{"version", "version number; the current one by default"}}},
		{Method: "PUT", Pattern: "/api/v1/cases/{id}", Summary: "Refused (403): a case changes only through status, messages or recipients", Write: true, Handle: (*Handler).caseNotHere, Tag: "cases"},
		{Method: "GET", Pattern: "/api/v1/cases/{id}/versions", Summary: "A case's versions, to its parties only", Handle: (*Handler).caseVersions, Tag: "cases"},
		{Method: "POST", Pattern: "/api/v1/cases/{id}/messages", Summary: "Add a sealed message to a case", Write: true, Handle: (*Handler).replyCase, Tag: "cases"},
		{Method: "POST", Pattern: "/api/v1/cases/{id}/status", Summary: "Move a case to another status", Write: true, Handle: (*Handler).caseStatus, Tag: "cases"},
		{Method: "POST", Pattern: "/api/v1/cases/{id}/recipients", Summary: "Re-seal a case to other recipients (filing group only)", Write: true, Handle: (*Handler).resealCase, Tag: "cases"},
		{Method: "GET", Pattern: "/api/v1/stats/cases", Summary: "Public case reaction times per group; groups under 5 cases are left out", Handle: (*Handler).caseStats, Tag: "stats",
			Params: []Param{{"group_by", "comma-separated: platform, country, kind, urgency, period"}, {"grain", "period grain: month, quarter, half, year"},
				{"platform", "platform organisation id"}, {"country", "ISO 3166-1 alpha-2"}, {"kind", "case kind"}, {"urgency", "case urgency"},
				{"from", "filed from (RFC 3339 or YYYY-MM-DD)"}, {"to", "filed before"}, {"format", "json or csv"}}},

		// The interference observatory.
		{Method: "GET", Pattern: "/api/v1/measurements", Tag: "interference",
			Summary: "List scored OONI measurements, newest first", Handle: (*Handler).listMeasurements,
			Params: append(append([]Param{}, filters...),
				Param{"outcome", "ok, anomaly, confirmed or failure; comma-separate for any of"},
				Param{"anomaly", "true: anomalies only (as OONI)"}, Param{"confirmed", "true: confirmed only"},
				Param{"failure", "true: failures only"},
				Param{"cursor", "opaque cursor from next_cursor"}, Param{"limit", "page size, 1 to 1000 (default 100)"},
				Param{"format", "json, ndjson or csv"})},
		{Method: "POST", Pattern: "/api/v1/measurements", Tag: "interference", Write: true,
			Summary: "Submit OONI measurements in the probe's JSON: they are scored, stored (all or none) and fed to the detectors; " +
				"answers received, new and discarded counts. Roles: admin, civil_society",
			Handle: (*Handler).submitMeasurements, Roles: measurementSubmitters,
			Bodies: map[string]string{"application/json": "one OONI measurement, or an array of them",
				"application/x-ndjson": "OONI measurements, one per line"}},
		{Method: "GET", Pattern: "/api/v1/measurements/{uid}", Tag: "interference",
			Summary: "Get one measurement by its measurement_uid (as cited in events' evidence)", Handle: (*Handler).getMeasurement},
		{Method: "GET", Pattern: "/api/v1/interference/aggregation", Tag: "interference",
			Summary: "Outcome counts grouped like OONI's /api/v1/aggregation, with platform as an extra axis",
			Handle:  (*Handler).aggregateMeasurements,
			Params: append(append([]Param{}, filters...),
				Param{"axis_x", "measurement_start_day, probe_cc, probe_asn, test_name, domain, platform or category_code"},
				Param{"axis_y", "a second axis"}, Param{"time_grain", "hour, day (default), week, month or year"},
				Param{"format", "json or csv"})},
	}
}

var listParams = []Param{
	{"country", "ISO 3166-1 alpha-2"}, {"platform", "platform organisation id"},
	{"type", "record type (demand types, law kinds, outcomes…); repeat or comma-separate for any of"},
	{"from", "records overlapping from this time (RFC 3339 or YYYY-MM-DD)"}, {"to", "records starting up to this time"},
	{"q", "full text, accent- and case-insensitive (Da Nang finds Đà Nẵng)"}, {"ref", "parent record id (a response's demand)"},
	{"source_id", "the submitter's own id"}, {"cursor", "opaque cursor from next_cursor"},
	{"limit", "page size, 1 to 1000 (default 100)"}, {"order", "newest (default) or oldest"}, {"format", "json, ndjson or csv"},
}
