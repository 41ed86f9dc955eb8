import { describe, expect, it } from 'vitest'
import { formatDateTime, formatRFC3339, schoolDay } from './time'

describe('school zone', () => {
  // 2026-08-31T16:30:00Z is 00:30 on 1 September in Shanghai.
  const unix = Date.UTC(2026, 7, 31, 16, 30) / 1000
  it('day', () => expect(schoolDay(String(unix))).toBe('2026-09-01'))
  it('date time', () => expect(formatDateTime(unix)).toBe('2026-09-01 00:30'))
  it('RFC 3339', () => {
    expect(formatRFC3339('2026-08-31T16:30:59Z')).toBe('2026-09-01 00:30')
    expect(formatRFC3339('2026-09-01T00:30:00+08:00')).toBe('2026-09-01 00:30')
    expect(formatRFC3339('')).toBe('')
    expect(formatRFC3339(undefined)).toBe('')
    expect(formatRFC3339('yesterday')).toBe('')
  })
})
