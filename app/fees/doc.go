// Package fees is the fee items (学杂费, seed 1 §5.1) as use cases: staff of a school
// (school admins and finance) define an item, publish it — one bill per targeted pupil,
// issued in the pupil's Account grain —, take cash for bills, grant exemptions and close
// the item; parents see their children's bills and pay them from the card balance when
// the item allows it.
//
// Money never lives here: every bill and every movement on it is a journaled command of
// the pupil's Account grain under an idempotency key (see domain/fee for why the grain
// owns bills). Publishing is a bounded fan-out (app/workers) of IssueBill commands keyed
// fee.BillKey(item, account), so a publish interrupted by a crash or a cancelled context
// is completed by running it again, without a second bill. The item definitions and the
// per-bill read model (paid/unpaid per class) are persistence/fees.
//
// It speaks Go types and typed errors (*reason.Error); the edge is gateway's
// FeeStaffService and FeeParentService.
package fees
