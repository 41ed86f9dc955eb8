// Package terminalclient is the client side of TerminalService: it opens an
// authenticated session stream (HMAC challenge) and turns the in-order
// request/response protocol into method calls, with pushes on a channel. The POS
// (onecode pos) and the load generator use it.
//
// A Session is meant for one goroutine (one terminal is one cashier): its methods must
// not be called concurrently. Pushes() may be read from another goroutine.
package terminalclient
