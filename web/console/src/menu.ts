// The console's sections and which staff roles see them (StaffRole in auth.proto,
// mirroring the server's checks in gateway/staffsvc*.go): admin everything; finance
// pupils, imports, totals, fees, (read only) limits, refunds and the notices' status; canteen manager canteens and totals; teacher the
// pupils of their class and, read only, the fee bills of their class (gateway/feesvc.go).
import type { StaffRole } from '@shared/types'

/** Who uses the console: a staff role, or the operator (operator token). */
export type ConsoleRole = StaffRole | 'OPERATOR'

export interface Section { name: string; path: string; roles: ConsoleRole[]; ready: boolean }

const Admin: StaffRole = 'STAFF_ROLE_SCHOOL_ADMIN'
const Finance: StaffRole = 'STAFF_ROLE_FINANCE'
const Canteen: StaffRole = 'STAFF_ROLE_CANTEEN_MANAGER'
const Teacher: StaffRole = 'STAFF_ROLE_TEACHER'
const Operator: ConsoleRole = 'OPERATOR'

export const sections: Section[] = [
  { name: 'pupils', path: '/pupils', roles: [Admin, Finance, Teacher], ready: true },
  { name: 'canteens', path: '/canteens', roles: [Admin, Canteen], ready: true },
  { name: 'totals', path: '/totals', roles: [Admin, Finance, Canteen], ready: true },
  { name: 'staff', path: '/staff', roles: [Admin], ready: true },
  { name: 'fees', path: '/fees', roles: [Admin, Finance, Teacher], ready: true },
  { name: 'limits', path: '/limits', roles: [Admin, Finance], ready: true },
  { name: 'refunds', path: '/refunds', roles: [Admin, Finance], ready: true },
  { name: 'notices', path: '/notices', roles: [Admin, Finance], ready: true },
  { name: 'ops', path: '/ops', roles: [Operator], ready: true },
]

export function sectionsFor(role: ConsoleRole | ''): Section[] {
  return role ? sections.filter((s) => s.roles.includes(role)) : []
}

/** The first section a role sees (its home). */
export function homeFor(role: ConsoleRole | ''): string {
  return sectionsFor(role)[0]?.name ?? 'pupils'
}

/** What a role may do beyond seeing a section (the server checks again). */
export const can = {
  importPupils: (r: ConsoleRole | '') => r === Admin || r === Finance,
  wholeSchool: (r: ConsoleRole | '') => r === Admin || r === Finance,
  bindCode: (r: ConsoleRole | '') => r === Admin || r === Teacher,
  guardians: (r: ConsoleRole | '') => r === Admin || r === Teacher,
  unbind: (r: ConsoleRole | '') => r === Admin,
  manageCanteens: (r: ConsoleRole | '') => r === Admin || r === Canteen,
  /** Define, publish, close fee items; take cash; grant exemptions. */
  writeFees: (r: ConsoleRole | '') => r === Admin || r === Finance,
  /** Change the school's default limits (finance reads them). */
  writeLimits: (r: ConsoleRole | '') => r === Admin,
  /** Refund part of a bill or a recharge paid online (gateway/refundsvc.go). */
  refund: (r: ConsoleRole | '') => r === Admin || r === Finance,
}
