// Package catalog holds the use cases of a school's canteens: canteens, their dish
// catalogs and their terminals (registered with a device secret shown once, enabled
// and disabled, and looked up for the terminal handshake). The operator's API and the
// school's console share these rules; which schools a caller reaches is settled by the
// caller (a Scope: the operator every school, staff their own) before they run. It
// takes and returns Go types and typed errors (domain/reason); the edge adapts protos
// to it and never touches the directory itself.
package catalog
