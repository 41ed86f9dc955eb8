// Fee bills as both faces show them: which are still to pay, which are settled, and
// the day a bill is due. Amounts stay int64 fen (bigint); nothing here uses floats.
import type { BillStatus, FeeBill } from './types'
import { toFen } from './money'

export const FeeCategories = ['tuition', 'books', 'uniform', 'meals', 'trip', 'insurance', 'other'] as const

/** pending: the bill still wants money (unpaid or partly paid, with something outstanding). */
export function pending(b: Pick<FeeBill, 'status' | 'outstandingFen'>): boolean {
  return (b.status === 'unpaid' || b.status === 'partly_paid') && toFen(b.outstandingFen) > 0n
}

/** settled: paid or exempt in full. */
export function settled(status: BillStatus): boolean {
  return status === 'paid' || status === 'exempt'
}

/** outstanding of a bill: due − paid − exempted when the server did not say. */
export function outstanding(b: Pick<FeeBill, 'dueFen' | 'paidFen' | 'exemptedFen' | 'outstandingFen'>): bigint {
  if (b.outstandingFen !== undefined && b.outstandingFen !== null && b.outstandingFen !== '') return toFen(b.outstandingFen)
  return toFen(b.dueFen) - toFen(b.paidFen) - toFen(b.exemptedFen)
}

/** dueDate shows a wire day "20260915" as "2026-09-15" ("" when unset or malformed). */
export function dueDate(day: string | undefined): string {
  return day && /^\d{8}$/.test(day) && day !== '00000000' ? `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}` : ''
}

/** Tag colour of a bill status (Vant and Element Plus share the names). */
export function statusTone(status: BillStatus): 'success' | 'warning' | 'danger' | 'primary' | 'default' {
  switch (status) {
    case 'paid': return 'success'
    case 'exempt': return 'primary'
    case 'partly_paid': return 'warning'
    case 'unpaid': return 'danger'
    default: return 'default'
  }
}

/** A money command's request id and the entry (amount, text) it was made for. */
export interface Sent { id: string; entry: string }

/**
 * requestFor keeps one request id per entry: a retry of the same entry (after a
 * timeout, say) reuses it, so the server answers the first outcome; a changed entry
 * gets a new id (reusing the old one would be an idempotency conflict).
 */
export function requestFor(prev: Sent | null, entry: string, make: () => string): Sent {
  return prev && prev.entry === entry ? prev : { id: make(), entry }
}
