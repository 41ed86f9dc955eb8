// Package reason is the one typed contract of OneCode's machine reasons: the decline and
// error codes ("CARD_LOST", "RECHARGE_SINGLE_MAX", …) that the domain, the terminal
// session, the POS, the REST error body and the web pages all speak, defined once here,
// and Error, the transport-free error that carries a reason and a kind from the use
// cases to the edge (gateway/status.go is the one place that turns it into a gRPC status).
//
// A reason is compared as a Code constant, never as a string literal.
package reason
