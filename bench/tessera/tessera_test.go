// Package tessera measures Tessera's POSIX log on this machine, the figure
// Candor's ledger benchmark is compared with (docs/design/ledger.md). It is a
// module of its own so that Candor does not depend on Tessera.
package tessera

import (
	"context"
	"crypto/rand"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/transparency-dev/tessera"
	"github.com/transparency-dev/tessera/storage/posix"
	"golang.org/x/mod/sumdb/note"
)

// BenchmarkPOSIXAppend adds entries with 4,096 in flight and batches of
// 4,096, Tessera's best settings for this figure.
func BenchmarkPOSIXAppend(b *testing.B) {
	ctx := context.Background()
	skey, _, err := note.GenerateKey(rand.Reader, "bench.example/tessera")
	if err != nil {
		b.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	driver, err := posix.New(ctx, posix.Config{Path: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	appender, shutdown, _, err := tessera.NewAppender(ctx, driver, tessera.NewAppendOptions().
		WithCheckpointSigner(signer).WithBatching(4096, 100*time.Millisecond).WithPushback(1<<20).
		WithCheckpointInterval(time.Second))
	if err != nil {
		b.Fatal(err)
	}
	defer shutdown(ctx)
	entry := make([]byte, 600)
	const inFlight = 4096
	sem := make(chan struct{}, inFlight)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sem <- struct{}{}
		data := append([]byte(fmt.Sprintf("%d:", i)), entry...)
		f := appender.Add(ctx, tessera.NewEntry(data))
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f(); err != nil {
				mu.Lock()
				firstErr = err
				mu.Unlock()
			}
			<-sem
		}()
	}
	wg.Wait()
	b.StopTimer()
	if firstErr != nil {
		b.Fatal(firstErr)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}
