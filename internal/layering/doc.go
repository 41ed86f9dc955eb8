// Package layering holds the tests that keep DESIGN §5 true: imports flow
// cmd → gateway → app → actors → domain and app → persistence; gateway never imports
// persistence; app never imports gateway, gRPC status or codes, or the public API protos;
// domain imports only the standard library; and files and functions of the edge and the
// use cases stay small.
package layering
