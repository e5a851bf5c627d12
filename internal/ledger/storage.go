package ledger

import (
	"context"
	"fmt"
	"sync"

	"github.com/candor-observatory/candor/internal/store"
)

// MemStorage is an in-memory store.LogStorage for tests and benchmarks.
type MemStorage struct {
	mu         sync.Mutex
	entries    [][]byte
	treeSize   int64
	tiles      map[[2]int64][]byte
	checkpoint []byte
	cpSize     int64
}

// NewMemStorage returns an empty in-memory log.
func NewMemStorage() *MemStorage {
	return &MemStorage{tiles: map[[2]int64][]byte{}}
}

// Append adds entries, as the registry does inside a record transaction.
func (m *MemStorage) Append(entries ...[]byte) (first int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	first = int64(len(m.entries))
	for _, e := range entries {
		m.entries = append(m.entries, append([]byte(nil), e...))
	}
	return first
}

// Truncate drops entries from size on, for tests that tamper with the log.
func (m *MemStorage) Truncate(size int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries = m.entries[:size]
}

// SetEntry overwrites an entry, for tests that tamper with the log.
func (m *MemStorage) SetEntry(i int64, data []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries[i] = data
}

func (m *MemStorage) EntryCount(ctx context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return int64(len(m.entries)), nil
}

func (m *MemStorage) ReadEntries(ctx context.Context, start, end int64) ([][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if start < 0 || end > int64(len(m.entries)) || start > end {
		return nil, fmt.Errorf("entries [%d, %d) out of range (%d entries)", start, end, len(m.entries))
	}
	return append([][]byte(nil), m.entries[start:end]...), nil
}

func (m *MemStorage) TreeSize(ctx context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.treeSize, nil
}

func (m *MemStorage) ReadTile(ctx context.Context, level int, index int64) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.tiles[[2]int64{int64(level), index}], nil
}

func (m *MemStorage) WriteTiles(ctx context.Context, oldSize, newSize int64, tiles []store.Tile) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.treeSize != oldSize {
		return store.ErrTreeMoved
	}
	for _, t := range tiles {
		m.tiles[[2]int64{int64(t.Level), t.Index}] = append([]byte(nil), t.Hashes...)
	}
	m.treeSize = newSize
	return nil
}

func (m *MemStorage) ReadCheckpoint(ctx context.Context) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.checkpoint, nil
}

func (m *MemStorage) WriteCheckpoint(ctx context.Context, size int64, note []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.checkpoint != nil && size < m.cpSize {
		return nil
	}
	m.checkpoint, m.cpSize = append([]byte(nil), note...), size
	return nil
}
