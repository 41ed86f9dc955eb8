import { describe, expect, it } from 'vitest'
import { unixOf } from './wechat'

describe('unixOf', () => {
  it('turns a Timestamp JSON into unix seconds', () => {
    expect(unixOf('2026-12-06T01:41:16Z')).toBe('1796521276')
    expect(unixOf('2026-12-06T01:41:16.900Z')).toBe('1796521276')
  })
  it('answers empty for unset or bad values', () => {
    expect(unixOf(undefined)).toBe('')
    expect(unixOf('')).toBe('')
    expect(unixOf('yesterday')).toBe('')
  })
})
