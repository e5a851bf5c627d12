package ooni

import (
	"encoding/json"
	"strings"

	"github.com/valyala/fastjson"
)

// The fastpath also scores the circumvention and middlebox tests; their
// rules are kept here so that aggregations count them as OONI does.

func scoreTCPConnect(tk *fastjson.Value) Scores {
	var s Scores
	switch string(tk.GetStringBytes("connection")) {
	case "success":
	case "generic_timeout_error", "connection_refused_error", "connect_error", "tcp_timed_out_error":
		s.BlockingGeneral = 0.8
	default:
		s.BlockingGeneral = 1
	}
	return s
}

func scorePsiphon(m, tk *fastjson.Value) Scores {
	var s Scores
	one := 1.0
	if f := tk.Get("failure"); f == nil || f.Type() == fastjson.TypeNull {
		bt := tk.Get("bootstrap_time")
		if bt == nil || bt.GetFloat64() == 0 {
			s.fail()
		} else {
			s.Accuracy = &one
		}
	} else {
		s.Accuracy = &one
		s.BlockingGeneral = 1
	}
	if m.Get("resolver_ip") == nil {
		s.fail()
	}
	return s
}

func scoreTor(tk *fastjson.Value) Scores {
	var s Scores
	targets := get(tk, "targets")
	if targets == nil || !truthy(targets) || targets.Type() != fastjson.TypeObject {
		s.fail() // missing, or the early list form
		return s
	}
	var blocked, ok int
	bad := false
	o, _ := targets.Object()
	o.Visit(func(_ []byte, d *fastjson.Value) {
		f := d.Get("failure")
		if f == nil || d.Get("network_events") == nil {
			bad = true
			return
		}
		switch f.Type() {
		case fastjson.TypeFalse: // not run
		case fastjson.TypeNull:
			ok++
		default:
			blocked++
		}
	})
	switch {
	case bad:
		s.fail()
	case blocked+ok > 0:
		s.BlockingGeneral = float64(blocked) / float64(blocked+ok)
	default:
		s.fail()
	}
	return s
}

func scoreVanillaTor(tk *fastjson.Value) Scores {
	var s Scores
	log := tk.Get("tor_log")
	if log == nil || log.Type() != fastjson.TypeString {
		return s
	}
	l := string(log.GetStringBytes())
	if strings.Contains(l, "Bootstrapped 100%: Done") || strings.Contains(l, "Bootstrapped 100% (done): Done") {
		return s
	}
	p := min(100, max(0, tk.GetFloat64("tor_progress")))
	s.BlockingGeneral = 1 - p*0.004
	return s
}

func scoreRiseupVPN(tk *fastjson.Value) Scores {
	var s Scores
	ts := get(tk, "transport_status")
	blocked := func(k string) bool { return ts != nil && string(ts.GetStringBytes(k)) == "blocked" }
	if string(tk.GetStringBytes("api_status")) == "blocked" || isFalse(tk, "ca_cert_status") || blocked("obfs4") || blocked("openvpn") {
		s.BlockingGeneral = 1
	}
	return s
}

func scoreInvalidRequestLine(tk *fastjson.Value) Scores {
	var s Scores
	sent, received := array(tk, "sent"), array(tk, "received")
	if len(sent) == 0 && len(received) == 0 {
		s.fail()
		return s
	}
	for i := 0; i < len(sent) && i < len(received); i++ {
		if string(sent[i].MarshalTo(nil)) != string(received[i].MarshalTo(nil)) {
			s.BlockingGeneral = 1
		}
	}
	return s
}

// scoreHeaderManipulation compares the headers sent with those the
// helper saw (its JSON response body).
func scoreHeaderManipulation(tk *fastjson.Value) Scores {
	var s Scores
	reqs := array(tk, "requests")
	if len(reqs) == 0 {
		s.fail()
		return s
	}
	resp := reqs[0].Get("response")
	if resp == nil || resp.Type() == fastjson.TypeNull {
		s.fail()
		return s
	}
	body := get(resp, "body")
	if body == nil {
		s.BlockingGeneral = 1
		s.Msg = "Empty body"
		return s
	}
	var ctrl struct {
		HeadersDict map[string][]string `json:"headers_dict"`
	}
	if err := json.Unmarshal(body.GetStringBytes(), &ctrl); err != nil || ctrl.HeadersDict == nil {
		s.BlockingGeneral = 1
		s.Msg = "Malformed ctrl_headers"
		return s
	}
	seen := map[[2]string]bool{}
	for k, v := range ctrl.HeadersDict {
		if len(v) > 0 && !(k == "Connection" && v[0] == "close") {
			seen[[2]string{k, v[0]}] = true
		}
	}
	sent := map[[2]string]bool{}
	if h := reqs[0].Get("request", "headers"); h != nil && h.Type() == fastjson.TypeObject {
		o, _ := h.Object()
		o.Visit(func(k []byte, v *fastjson.Value) {
			if v.Type() == fastjson.TypeString && !(string(k) == "Connection" && string(v.GetStringBytes()) == "close") {
				sent[[2]string{string(k), string(v.GetStringBytes())}] = true
			}
		})
	}
	same := len(seen) == len(sent)
	for k := range sent {
		if !seen[k] {
			same = false
		}
	}
	if !same {
		s.BlockingGeneral = 1.1
		s.Msg = "unexpected header change"
	}
	return s
}
