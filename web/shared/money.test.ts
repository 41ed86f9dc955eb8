import { describe, expect, it } from 'vitest'
import { formatFen, parseYuan, toFen, yuanText } from './money'

describe('formatFen', () => {
  const cases: [string, Parameters<typeof formatFen>[0], string][] = [
    ['int64 as string', '1234', '¥12.34'],
    ['number', 1234, '¥12.34'],
    ['zero', '0', '¥0.00'],
    ['missing', undefined, '¥0.00'],
    ['negative (arrears)', '-300', '-¥3.00'],
    ['one fen', 1, '¥0.01'],
    ['grouping', '123456789', '¥1,234,567.89'],
    ['beyond 2^53', '9007199254740993', '¥90,071,992,547,409.93'],
  ]
  for (const [name, input, want] of cases) {
    it(name, () => expect(formatFen(input)).toBe(want))
  }
  it('sign', () => expect(formatFen('500', { sign: true })).toBe('+¥5.00'))
})

describe('parseYuan', () => {
  const cases: [string, bigint | null][] = [
    ['50', 5000n], ['50.5', 5050n], ['50.05', 5005n], ['0.01', 1n], ['¥1,000', 100000n],
    ['', null], ['1.234', null], ['-5', null], ['abc', null], ['1e3', null],
  ]
  for (const [input, want] of cases) {
    it(JSON.stringify(input), () => expect(parseYuan(input)).toBe(want))
  }
})

describe('toFen', () => {
  it('rejects a non-integer', () => expect(() => toFen('1.5')).toThrow())
  it('rejects an unsafe number', () => expect(() => toFen(2 ** 60)).toThrow())
  it('yuanText', () => expect([yuanText('5000'), yuanText(5050)]).toEqual(['50', '50.50']))
})
