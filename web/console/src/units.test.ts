import { describe, expect, it } from 'vitest'
import { addDays, emailOK, gramsText, isoDay, parseGrams, schoolYearEnd, wireDay } from './units'

describe('grams', () => {
  const show: [number | undefined, string][] = [[9500, '9.5'], [51000, '51'], [5, '0.005'], [0, '0'], [undefined, '0'], [600, '0.6']]
  for (const [mg, want] of show) it(`show ${mg}`, () => expect(gramsText(mg)).toBe(want))
  const read: [string, number | null][] = [['9.5', 9500], ['51', 51000], ['', 0], ['0.005', 5], ['1.2345', null], ['-1', null], ['abc', null], ['9999999', null]]
  for (const [s, want] of read) it(`read ${JSON.stringify(s)}`, () => expect(parseGrams(s)).toBe(want))
})

describe('days', () => {
  it('wire', () => expect(wireDay('2026-08-31')).toBe('20260831'))
  it('iso', () => expect(isoDay('20260831')).toBe('2026-08-31'))
  it('add across a month', () => expect(addDays('2026-03-01', -1)).toBe('2026-02-28'))
  it('school year end', () => expect(schoolYearEnd('2026-09-01')).toBe('2027-08-31'))
})

describe('staff e-mail', () => {
  const cases: [string, boolean][] = [
    ['', true], ['cw1@school.test', true], ['li.na+fees@xx-school.edu.cn', true],
    ['cw1', false], ['cw1@school', false], ['Li <cw1@school.test>', false], ['a b@school.test', false], ['a@b.c' + 'x'.repeat(260), false],
  ]
  for (const [e, ok] of cases) it(JSON.stringify(e).slice(0, 30), () => expect(emailOK(e)).toBe(ok))
})
