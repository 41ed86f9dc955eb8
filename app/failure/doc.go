// Package failure classifies the failures that reach the edge without a reason — a
// deadline, a grain that did not answer, a store that is down, a card QR that does not
// open, a domain decline — into typed reasons (domain/reason), so that the edge maps
// only reasons and kinds to its protocol and never needs to know a store or a grain.
package failure
