// Package history answers what happened on an account and at a canteen, from the
// journal's read side without waking a grain: an account's itemised history lines
// (journal events rendered with their dishes and canteen names, in bounded pages with
// opaque page tokens) and a canteen's net turnover per school day (domain/schoolday).
// The callers (parent and staff services at the edge) check reach first.
package history
