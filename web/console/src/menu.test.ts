import { describe, expect, it } from 'vitest'
import { can, homeFor, sectionsFor } from './menu'

describe('role menu', () => {
  const cases: [Parameters<typeof sectionsFor>[0], string[], string][] = [
    ['STAFF_ROLE_SCHOOL_ADMIN', ['pupils', 'canteens', 'totals', 'staff', 'fees', 'limits', 'refunds', 'notices'], 'pupils'],
    ['STAFF_ROLE_FINANCE', ['pupils', 'totals', 'fees', 'limits', 'refunds', 'notices'], 'pupils'],
    ['STAFF_ROLE_CANTEEN_MANAGER', ['canteens', 'totals'], 'canteens'],
    ['STAFF_ROLE_TEACHER', ['pupils', 'fees'], 'pupils'],
    ['OPERATOR', ['ops'], 'ops'],
    ['', [], 'pupils'],
  ]
  for (const [role, want, home] of cases) {
    it(role || 'no role', () => {
      expect(sectionsFor(role).map((s) => s.name)).toEqual(want)
      expect(homeFor(role)).toBe(home)
    })
  }
  it('actions', () => {
    expect(can.importPupils('STAFF_ROLE_TEACHER')).toBe(false)
    expect(can.unbind('STAFF_ROLE_TEACHER')).toBe(false)
    expect(can.bindCode('STAFF_ROLE_TEACHER')).toBe(true)
    expect(can.manageCanteens('STAFF_ROLE_FINANCE')).toBe(false)
    expect(can.writeFees('STAFF_ROLE_FINANCE')).toBe(true)
    expect(can.writeFees('STAFF_ROLE_SCHOOL_ADMIN')).toBe(true)
    expect(can.writeFees('STAFF_ROLE_TEACHER')).toBe(false)
    expect(can.writeFees('STAFF_ROLE_CANTEEN_MANAGER')).toBe(false)
    expect(can.writeLimits('STAFF_ROLE_SCHOOL_ADMIN')).toBe(true)
    expect(can.writeLimits('STAFF_ROLE_FINANCE')).toBe(false)
    expect(can.refund('STAFF_ROLE_FINANCE')).toBe(true)
    expect(can.refund('STAFF_ROLE_SCHOOL_ADMIN')).toBe(true)
    expect(can.refund('STAFF_ROLE_TEACHER')).toBe(false)
    expect(can.refund('STAFF_ROLE_CANTEEN_MANAGER')).toBe(false)
  })
})
