package platform

import "testing"

func TestForHost(t *testing.T) {
	cases := []struct {
		host, platform, service string
	}{
		{"twitter.com", "x", "twitter"},
		{"mobile.twitter.com", "x", "twitter"},
		{"t.co", "x", "twitter"},
		{"pbs.twimg.com", "x", "twitter"},
		{"x.com", "x", "twitter"},
		{"www.facebook.com", "meta", "facebook"},
		{"scontent.xx.fbcdn.net", "meta", "facebook"},
		{"www.instagram.com", "meta", "instagram"},
		{"web.whatsapp.com", "meta", "whatsapp"},
		{"rr3---sn-4g5e6nsz.googlevideo.com", "google", "youtube"},
		{"WWW.YOUTUBE.COM.", "google", "youtube"},
		{"web.telegram.org", "telegram", "telegram"},
		{"fa.wikipedia.org", "wikimedia", "wikipedia"},
		{"www.tiktok.com", "tiktok", "tiktok"},
		{"updates.signal.org", "signal", "signal"},
	}
	for _, c := range cases {
		r, ok := ForHost(c.host)
		if !ok || r.Platform != c.platform || r.Service != c.service {
			t.Errorf("ForHost(%q) = %+v, %v; want %s/%s", c.host, r, ok, c.platform, c.service)
		}
	}
	for _, h := range []string{"example.com", "nottwitter.com", "co", "archive.org", ""} {
		if r, ok := ForHost(h); ok {
			t.Errorf("ForHost(%q) = %+v, want no platform", h, r)
		}
	}
}

func TestForTest(t *testing.T) {
	if r, _ := For("whatsapp", ""); r.Platform != "meta" || r.Service != "whatsapp" {
		t.Errorf("whatsapp test mapped to %+v", r)
	}
	if r, _ := For("signal", ""); r.Platform != "signal" {
		t.Errorf("signal test mapped to %+v", r)
	}
	if r, _ := For("web_connectivity", "twitter.com"); r.Platform != "x" {
		t.Errorf("web_connectivity twitter.com mapped to %+v", r)
	}
	if _, ok := For("web_connectivity", ""); ok {
		t.Error("web_connectivity without input should map to no platform")
	}
}
