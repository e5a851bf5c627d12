package verify_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/candor-observatory/candor/internal/app"
	"github.com/candor-observatory/candor/internal/registry/registrytest"
	"github.com/candor-observatory/candor/internal/store"

	"golang.org/x/mod/sumdb/note"

	"github.com/candor-observatory/candor/internal/ledger"
	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/registry"
	"github.com/candor-observatory/candor/internal/store/storetest"
	"github.com/candor-observatory/candor/internal/verify"
)

const crashEnv = "CANDOR_CRASH_CHILD_DSN"

// TestCrashChild is the writer that TestCrashSafety kills; it does nothing
// unless started by it.
func TestCrashChild(t *testing.T) {
	dsn := os.Getenv(crashEnv)
	if dsn == "" {
		return
	}
	ctx := context.Background()
	db, err := app.OpenStore(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	f := registrytest.NewFixture(t, db)
	skey := os.Getenv("CANDOR_CRASH_CHILD_KEY")
	l, err := ledger.New(db, skey)
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2023, 5, 13, 0, 0, 0, 0, time.UTC)
	for i := 0; ; i++ {
		recs := make([]model.Record, 500)
		for j := range recs {
			d := registrytest.Individual(f.X, "TR", day, int64(j+1), fmt.Sprintf("c%d-%d", i, j))
			if j%4 == 0 {
				d.Summary = "order naming a person"
			}
			recs[j] = d
		}
		if _, err := f.Reg.Write(ctx, f.PlatformX, recs, registry.Create); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			if _, err := l.Sign(ctx, false); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestCrashSafety kills a writer in the middle of its batches and checks
// that records and log entries are both there or both absent, that the
// tiles pick up where they stopped, and that the signed checkpoint holds.
func TestCrashSafety(t *testing.T) {
	if os.Getenv(crashEnv) != "" {
		return
	}
	run := func(t *testing.T, dsn string) {
		ctx := context.Background()
		skey, vkey, _ := note.GenerateKey(rand.Reader, "candor.test/log")
		// Migrate before the writer starts, so that only one process does.
		db, err := app.OpenStore(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+dsn, "CANDOR_CRASH_CHILD_KEY="+skey)
		var childOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &childOut, &childOut
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		for {
			n, _ := db.EntryCount(ctx)
			cp, _ := db.ReadCheckpoint(ctx)
			if n >= 3000 && cp != nil {
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("the writer did not get going (log size %d):\n%s", n, childOut.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		// Let it get into the next batch, then kill it without warning.
		time.Sleep(37 * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()

		if err := verify.DB(ctx, db, vkey, io.Discard); err != nil {
			t.Fatalf("after the crash: %v", err)
		}
		var records int64
		db.EachLoggedVersion(ctx, func(*store.Row, []store.FieldSalt) error { records++; return nil })
		entries, _ := db.EntryCount(ctx)
		if records != entries || records%500 != 5 {
			// 5 fixture records, then whole batches of 500.
			t.Fatalf("%d logged records and %d log entries after the crash", records, entries)
		}
		l, _ := ledger.New(db, skey)
		if _, err := l.Sign(ctx, false); err != nil {
			t.Fatalf("the log does not resume after the crash: %v", err)
		}
		if err := verify.DB(ctx, db, vkey, io.Discard); err != nil {
			t.Fatalf("after resuming: %v", err)
		}
	}
	t.Run("sqlite", func(t *testing.T) { run(t, filepath.Join(t.TempDir(), "crash.db")) })
	t.Run("postgres", func(t *testing.T) { run(t, storetest.PostgresURL(t)) })
}
