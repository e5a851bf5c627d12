package ledger

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "log.key")
	skey, created, err := LoadOrCreateKey("", path, "candor.example/log")
	if err != nil || !created {
		t.Fatalf("create: %v, created=%v", err, created)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v", fi.Mode().Perm(), err)
	}
	again, created, err := LoadOrCreateKey("", path, "candor.example/log")
	if err != nil || created || again != skey {
		t.Fatalf("reload: %v, created=%v, same=%v", err, created, again == skey)
	}
	if k, _, err := LoadOrCreateKey(skey, "/nonexistent/x", ""); err != nil || k != skey {
		t.Fatalf("key given as value: %v", err)
	}
	if k, _, err := LoadOrCreateKey(path, "/nonexistent/x", ""); err != nil || k != skey {
		t.Fatalf("key given as a path: %v", err)
	}
	os.Chmod(path, 0o644)
	if _, _, err := LoadOrCreateKey("", path, "candor.example/log"); err == nil {
		t.Fatal("a key file readable by others was accepted")
	}
	if _, _, err := LoadOrCreateKey("PRIVATE+KEY+bad", "", ""); err == nil {
		t.Fatal("a malformed key was accepted")
	}
	vkey, err := VerifierKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	l, err := New(NewMemStorage(), skey)
	if err != nil || l.VerifierKey() != vkey || l.Origin() != "candor.example/log" {
		t.Fatalf("New: %v", err)
	}
}
