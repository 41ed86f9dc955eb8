// Package wiring builds the use cases of the app layer over one set of stores and
// grains (Stores), so that the edge asks for use cases (Catalog, Enrolment, Guardians …)
// and never handles a store itself. cmd/onecode fills Stores once from its
// configuration; tests fill it with their own databases.
package wiring
