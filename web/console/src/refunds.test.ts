import { describe, expect, it } from 'vitest'
import { countByState, keepNotice, noticeTone, refundProblem, refundTone, refundableFen, unixOf } from './refunds'

describe('refunds', () => {
  it('refundable is paid less refunded, never below zero', () => {
    expect(refundableFen({ paidFen: '5000', refundedFen: '1950' })).toBe(3050n)
    expect(refundableFen({ paidFen: '5000' })).toBe(5000n)
    expect(refundableFen({})).toBe(0n)
    expect(refundableFen({ paidFen: '100', refundedFen: '200' })).toBe(0n)
  })
  it('checks an entry: amount, max, reason, order', () => {
    expect(refundProblem({ amount: '30.50', reason: '退学' }, 5000n)).toBeNull()
    expect(refundProblem({ amount: '30.505', reason: 'x' }, 5000n)).toBe('amount')
    expect(refundProblem({ amount: '0', reason: 'x' }, 5000n)).toBe('amount')
    expect(refundProblem({ amount: '-1', reason: 'x' }, null)).toBe('amount')
    expect(refundProblem({ amount: '50.01', reason: 'x' }, 5000n)).toBe('above')
    expect(refundProblem({ amount: '50', reason: 'x' }, 5000n)).toBeNull()
    expect(refundProblem({ amount: '1', reason: '  ' }, null)).toBe('reason')
    expect(refundProblem({ amount: '1', reason: 'x', orderId: '' }, null, true)).toBe('order')
    expect(refundProblem({ amount: '1', reason: 'x', orderId: 'a b' }, null, true)).toBe('order')
    expect(refundProblem({ amount: '1', reason: 'x', orderId: ' rc_01HX-9 ' }, null, true)).toBeNull()
  })
  it('tones', () => {
    expect(refundTone('succeeded')).toBe('success')
    expect(refundTone('pending')).toBe('warning')
    expect(refundTone('processing')).toBe('warning')
    expect(refundTone('failed')).toBe('danger')
    expect(refundTone('closed')).toBe('info')
    expect(noticeTone('delivered')).toBe('success')
    expect(noticeTone('queued')).toBe('warning')
    expect(noticeTone('failed')).toBe('danger')
  })
  it('RFC 3339 to unix seconds', () => {
    expect(unixOf('2026-12-06T01:02:03Z')).toBe(1796518923)
    expect(unixOf('2026-12-06T09:02:03.5+08:00')).toBe(1796518923)
    expect(unixOf('')).toBe(0)
    expect(unixOf('nope')).toBe(0)
  })
})

describe('notices filter', () => {
  const ns = [{ state: 'queued' }, { state: 'failed' }, { state: 'delivered' }, { state: 'failed' }]
  it('keeps a state or all', () => {
    expect(ns.filter((n) => keepNotice(n, 'failed'))).toHaveLength(2)
    expect(ns.filter((n) => keepNotice(n, ''))).toHaveLength(4)
  })
  it('counts per state', () => {
    expect(countByState(ns)).toEqual({ queued: 1, sent: 0, delivered: 1, failed: 2, withdrawn: 0 })
  })
})
