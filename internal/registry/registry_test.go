package registry_test

import (
	"testing"

	"github.com/candor-observatory/candor/internal/registry/registrytest"
	"github.com/candor-observatory/candor/internal/store"
	"github.com/candor-observatory/candor/internal/store/storetest"
)

// The registry's rules hold on both stores.
func TestRulesSQLite(t *testing.T) {
	registrytest.Run(t, func(tb testing.TB) store.Store { return storetest.OpenSQLite(tb) })
}

func TestRulesPostgres(t *testing.T) {
	registrytest.Run(t, func(tb testing.TB) store.Store { return storetest.OpenPostgres(tb) })
}
