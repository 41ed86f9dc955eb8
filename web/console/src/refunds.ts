// Refunds and notices as the console shows them (refund.proto, staff.proto
// ListNotices): what a bill may still refund, the checks of a refund entry before it
// is sent, the tone of a refund's or a notice's state, and the notices' filter.
// Amounts stay int64 fen (bigint); nothing here uses floats.
import { toFen, type FenWire } from '@shared/money'
import { amountFen } from './fees'

export type RefundState = 'pending' | 'processing' | 'succeeded' | 'failed' | 'closed'
export const RefundStates: RefundState[] = ['pending', 'processing', 'succeeded', 'failed', 'closed']

export type NoticeState = 'queued' | 'sent' | 'delivered' | 'failed' | 'withdrawn'
export const NoticeStates: NoticeState[] = ['queued', 'sent', 'delivered', 'failed', 'withdrawn']

/** refundableFen: what a bill paid and has not refunded yet (the server also leaves out cash and balance payments). */
export function refundableFen(b: { paidFen?: FenWire; refundedFen?: FenWire }): bigint {
  const left = toFen(b.paidFen) - toFen(b.refundedFen)
  return left > 0n ? left : 0n
}

/** A bill as the refund dialog names it: whose, and what it may still refund. */
export interface RefundBill { itemId: string; accountId: string; label: string; maxFen: bigint }

export type RefundProblem = 'amount' | 'above' | 'reason' | 'order'

export interface RefundEntry { amount: string; reason: string; orderId?: string }

/**
 * refundProblem is the first thing wrong with a refund entry, or null: a positive
 * amount in yuan with ≤ 2 decimals, not above max (when known), a reason, and for a
 * recharge an order number. The server checks again (REFUND_* reasons).
 */
export function refundProblem(e: RefundEntry, maxFen: bigint | null, needOrder = false): RefundProblem | null {
  if (needOrder && !/^[\w-]{1,64}$/.test((e.orderId ?? '').trim())) return 'order'
  const fen = amountFen(e.amount)
  if (fen === null) return 'amount'
  if (maxFen !== null && fen > maxFen) return 'above'
  if (!e.reason.trim()) return 'reason'
  return null
}

/** refundTone is the tag colour of a refund state. */
export function refundTone(s: string): 'success' | 'warning' | 'danger' | 'info' {
  switch (s) {
    case 'succeeded': return 'success'
    case 'failed': return 'danger'
    case 'closed': return 'info'
    default: return 'warning' // pending, processing: money on its way back
  }
}

/** noticeTone is the tag colour of a notice state. */
export function noticeTone(s: string): 'success' | 'warning' | 'danger' | 'info' | 'primary' {
  switch (s) {
    case 'delivered': return 'success'
    case 'sent': return 'primary'
    case 'failed': return 'danger'
    case 'withdrawn': return 'info'
    default: return 'warning' // queued
  }
}

/** unixOf turns an RFC 3339 time (the refunds' created_at) into unix seconds; 0 when empty or malformed. */
export function unixOf(rfc3339: string | undefined): number {
  const ms = rfc3339 ? Date.parse(rfc3339) : NaN
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : 0
}

/** keepNotice: the notice passes the state filter ('' every state). */
export function keepNotice(n: { state: string }, state: NoticeState | ''): boolean {
  return !state || n.state === state
}

/** countByState counts the loaded notices per state (the filter's badges). */
export function countByState(ns: { state: string }[]): Record<NoticeState, number> {
  const out = Object.fromEntries(NoticeStates.map((s) => [s, 0])) as Record<NoticeState, number>
  for (const n of ns) if (n.state in out) out[n.state as NoticeState]++
  return out
}
