// Package gateway is the edge of OneCode: the gRPC services, the REST gateway generated
// from the same protos, the HTTP endpoints for operators (health, readiness, metrics,
// OpenAPI) and the one place where domain errors become gRPC and HTTP statuses.
package gateway
