package cli

import (
	"context"

	"github.com/candor-observatory/candor/internal/demo"
	"github.com/candor-observatory/candor/internal/registry"
)

func init() {
	demoLoader = func(ctx context.Context, reg *registry.Registry) (int, error) {
		st, err := demo.Load(ctx, reg)
		return st.Created + st.Updated, err
	}
}
