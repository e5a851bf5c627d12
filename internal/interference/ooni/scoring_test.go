package ooni

import (
	"testing"

	"github.com/valyala/fastjson"
)

// TestScoringRules checks the fastpath rules that no shipped sample
// exercises, on measurements cut down to the keys the rules read.
func TestScoringRules(t *testing.T) {
	head := `"report_id":"r","probe_cc":"TR","probe_asn":"AS9121","measurement_start_time":"2023-02-08 10:00:00",`
	cases := []struct {
		name, json, outcome string
	}{
		{"facebook_messenger all consistent", `{` + head + `"test_name":"facebook_messenger","test_keys":{
			"facebook_b_api_dns_consistent":true,"facebook_b_api_reachable":true,"facebook_b_graph_dns_consistent":true,
			"facebook_b_graph_reachable":true,"facebook_dns_blocking":true,"facebook_edge_dns_consistent":true,
			"facebook_edge_reachable":true,"facebook_star_dns_consistent":true,"facebook_star_reachable":true,
			"facebook_stun_dns_consistent":true,"facebook_tcp_blocking":false}}`, "ok"},
		{"facebook_messenger one endpoint unreachable", `{` + head + `"test_name":"facebook_messenger","test_keys":{
			"facebook_edge_reachable":false,"facebook_tcp_blocking":false,"facebook_dns_blocking":false}}`, "ok"},
		{"facebook_messenger tcp blocking and an inconsistent answer", `{` + head + `"test_name":"facebook_messenger","test_keys":{
			"facebook_edge_dns_consistent":false,"facebook_tcp_blocking":true}}`, "anomaly"},
		{"telegram endpoints down", `{` + head + `"test_name":"telegram","test_keys":{"telegram_web_status":"ok",
			"tcp_connect":[{"status":{"success":false}},{"status":{"success":false}},{"status":{"success":true}}],
			"requests":[{"request":{"url":"http://149.154.175.50/"},"failure":"generic_timeout_error"}]}}`, "anomaly"},
		{"telegram fine", `{` + head + `"test_name":"telegram","test_keys":{"telegram_web_status":"ok",
			"tcp_connect":[{"status":{"success":true}}],"requests":[{"request":{"url":"http://149.154.175.50/"},"failure":null},
			{"request":{"url":"https://web.telegram.org/"},"failure":null}]}}`, "ok"},
		{"whatsapp registration blocked", `{` + head + `"test_name":"whatsapp","test_keys":{
			"requests":[{"request":{"url":"https://web.whatsapp.com/"},"failure":null},
			{"request":{"url":"https://v.whatsapp.net/v2/register"},"failure":"connection_reset"}]}}`, "anomaly"},
		{"whatsapp no endpoints reached", `{` + head + `"test_name":"whatsapp","test_keys":{
			"requests":[{"request":{"url":"https://web.whatsapp.com/"},"failure":null},
			{"request":{"url":"https://v.whatsapp.net/v2/register"},"failure":null}],
			"tcp_connect":[{"status":{"success":false}}]}}`, "anomaly"},
		{"signal blocked, recent probe", `{` + head + `"test_name":"signal","test_version":"0.2.5","test_keys":{
			"failed_operation":null,"failure":null,"signal_backend_status":"blocked","signal_backend_failure":"connection_reset"}}`, "anomaly"},
		{"web_connectivity tcp_ip", `{` + head + `"test_name":"web_connectivity","input":"https://twitter.com/","test_keys":{"blocking":"tcp_ip","accessible":false}}`, "anomaly"},
		{"web_connectivity unknown_failure", `{` + head + `"test_name":"web_connectivity","test_keys":{"blocking":false,"accessible":true,"http_experiment_failure":"unknown_failure: x"}}`, "failure"},
		{"dash fine", `{` + head + `"test_name":"dash","test_keys":{"simple":{"median_bitrate":12345.5},"failure":null}}`, "ok"},
		{"dash probe error", `{` + head + `"test_name":"dash","test_keys":{"failure":"eof_error"}}`, "failure"},
		{"ndt", `{` + head + `"test_name":"ndt","test_keys":{"protocol":7,"summary":{"download":48000.25,"upload":9000}}}`, "ok"},
		{"tcp_connect refused", `{` + head + `"test_name":"tcp_connect","input":"1.2.3.4:443","test_keys":{"connection":"connection_refused_error"}}`, "anomaly"},
		{"tcp_connect ok", `{` + head + `"test_name":"tcp_connect","input":"1.2.3.4:443","test_keys":{"connection":"success"}}`, "ok"},
		{"psiphon bootstrapped", `{` + head + `"resolver_ip":"1.1.1.1","test_name":"psiphon","test_keys":{"failure":null,"bootstrap_time":3.2}}`, "ok"},
		{"psiphon failed", `{` + head + `"resolver_ip":"1.1.1.1","test_name":"psiphon","test_keys":{"failure":"timeout","bootstrap_time":0}}`, "anomaly"},
		{"tor half blocked", `{` + head + `"test_name":"tor","test_keys":{"targets":{"a":{"failure":null,"network_events":[]},
			"b":{"failure":"generic_timeout_error","network_events":[]},"c":{"failure":"connection_refused","network_events":[]}}}}`, "anomaly"},
		{"vanilla_tor stuck at 10%", `{` + head + `"test_name":"vanilla_tor","test_keys":{"tor_log":"Bootstrapped 10%","tor_progress":10}}`, "anomaly"},
		{"vanilla_tor done", `{` + head + `"test_name":"vanilla_tor","test_keys":{"tor_log":"Bootstrapped 100% (done): Done","tor_progress":100}}`, "ok"},
		{"riseupvpn api blocked", `{` + head + `"test_name":"riseupvpn","test_keys":{"api_status":"blocked"}}`, "anomaly"},
		{"invalid request line changed", `{` + head + `"test_name":"http_invalid_request_line","test_keys":{"sent":["GET / HTTP/1.1"],"received":["GET / HTTP/1.0"]}}`, "anomaly"},
		{"header field manipulation none", `{` + head + `"test_name":"http_header_field_manipulation","test_keys":{"requests":[{"request":{"headers":{"Accept":"*/*"}},
			"response":{"body":"{\"headers_dict\":{\"Accept\":[\"*/*\"]}}"}}]}}`, "ok"},
		{"header field manipulation changed", `{` + head + `"test_name":"http_header_field_manipulation","test_keys":{"requests":[{"request":{"headers":{"Accept":"*/*"}},
			"response":{"body":"{\"headers_dict\":{\"accept\":[\"*/*\"]}}"}}]}}`, "anomaly"},
		{"an unsupported test", `{` + head + `"test_name":"dnscheck","test_keys":{}}`, "failure"},
		{"start time far after receipt", `{` + head + `"test_name":"web_connectivity","measurement_uid":"20230101000000.000000_TR_webconnectivity_0000000000000000","test_keys":{"blocking":false,"accessible":true}}`, "failure"},
	}
	sc := &Scorer{}
	for _, c := range cases {
		v, err := fastjson.Parse(c.json)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		m, err := sc.Normalize(v, "")
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if m.Outcome != c.outcome {
			t.Errorf("%s: outcome %s, want %s (scores %s)", c.name, m.Outcome, c.outcome, m.Scores)
		}
	}
}

func TestSpeeds(t *testing.T) {
	sc := &Scorer{}
	head := `"report_id":"r","probe_cc":"VN","probe_asn":"AS7552","measurement_start_time":"2023-02-08 10:00:00",`
	for json, want := range map[string]float64{
		`{` + head + `"test_name":"ndt","test_keys":{"protocol":7,"summary":{"download":48000.25,"upload":9000}}}`: 48000.25,
		`{` + head + `"test_name":"dash","test_keys":{"simple":{"median_bitrate":12345.5},"failure":null}}`:        12345.5,
	} {
		m, err := sc.Normalize(fastjson.MustParse(json), "")
		if err != nil {
			t.Fatal(err)
		}
		if m.DownloadKbps == nil || *m.DownloadKbps != want {
			t.Errorf("%s: download %v, want %v", m.TestName, m.DownloadKbps, want)
		}
	}
}
