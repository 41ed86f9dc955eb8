package gateway

import "github.com/onecode/onecode/app/wiring"

// Deps is what the services of the edge are built on: the stores and grains behind
// the use cases (app/wiring). The edge only asks it for use cases (Deps.Catalog(),
// Deps.Enrolment() …); cmd/onecode builds it once.
type Deps = wiring.Stores
