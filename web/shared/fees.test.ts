import { describe, expect, it } from 'vitest'
import { dueDate, outstanding, pending, requestFor, settled, statusTone } from './fees'

describe('fee bills', () => {
  it('pending wants something outstanding', () => {
    expect(pending({ status: 'unpaid', outstandingFen: '12050' })).toBe(true)
    expect(pending({ status: 'partly_paid', outstandingFen: '1' })).toBe(true)
    expect(pending({ status: 'unpaid', outstandingFen: '0' })).toBe(false)
    expect(pending({ status: 'paid', outstandingFen: '0' })).toBe(false)
    expect(pending({ status: 'closed', outstandingFen: '500' })).toBe(false)
  })
  it('settled', () => {
    expect(settled('paid')).toBe(true)
    expect(settled('exempt')).toBe(true)
    expect(settled('partly_paid')).toBe(false)
  })
  it('outstanding from the wire or computed exactly', () => {
    expect(outstanding({ outstandingFen: '9007199254740993' })).toBe(9007199254740993n)
    expect(outstanding({ dueFen: '12050', paidFen: '5000', exemptedFen: '50' })).toBe(7000n)
    expect(outstanding({ dueFen: '100' })).toBe(100n)
  })
  it('due dates', () => {
    expect(dueDate('20260915')).toBe('2026-09-15')
    expect(dueDate('')).toBe('')
    expect(dueDate(undefined)).toBe('')
    expect(dueDate('00000000')).toBe('')
    expect(dueDate('2026-09-15')).toBe('')
  })
  it('tones', () => {
    expect(statusTone('paid')).toBe('success')
    expect(statusTone('unpaid')).toBe('danger')
    expect(statusTone('closed')).toBe('default')
  })
})

describe('requestFor', () => {
  it('keeps the id for the same entry and makes a new one for another', () => {
    let n = 0
    const make = () => `r${++n}`
    const a = requestFor(null, '12050|SJ-1', make)
    expect(a).toEqual({ id: 'r1', entry: '12050|SJ-1' })
    expect(requestFor(a, '12050|SJ-1', make)).toBe(a)
    expect(requestFor(a, '12000|SJ-1', make)).toEqual({ id: 'r2', entry: '12000|SJ-1' })
  })
})
