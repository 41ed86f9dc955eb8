// Package enrolment holds the use cases that put pupils on the switch and cards in
// their hands: the pupil import (rows, or a CSV/XLSX file the school keeps), the
// per-row checks and outcomes, merging with pupils already in the directory, opening
// their accounts on the Account grains, sealing card QR texts with the keyring, card
// re-issue and the staff loss report, and the staff console's reading of pupils
// (lists, one pupil, the data of a class's card sheet) under the staff reach rules.
//
// It exists so that these rules live once, transport-free, between the edge (gateway,
// which adapts protos to the Go types here) and the grains and stores. It answers Go
// types and typed errors (*reason.Error, or store and actor sentinels that the edge
// maps); it never builds a gRPC status.
package enrolment
