package postgres_test

import (
	"testing"

	"github.com/candor-observatory/candor/internal/store"
	"github.com/candor-observatory/candor/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) store.Store { return storetest.OpenPostgres(tb) })
}
