// The console's sections and which staff roles see them (StaffRole in auth.proto,
// mirroring the server's checks in gateway/staffsvc*.go): admin everything; finance
// pupils, imports, totals and fees; canteen manager canteens and totals; teacher the
// pupils of their class and, read only, the fee bills of their class (gateway/feesvc.go).
import type { StaffRole } from '@shared/types'

export interface Section { name: string; path: string; roles: StaffRole[]; ready: boolean }

const Admin: StaffRole = 'STAFF_ROLE_SCHOOL_ADMIN'
const Finance: StaffRole = 'STAFF_ROLE_FINANCE'
const Canteen: StaffRole = 'STAFF_ROLE_CANTEEN_MANAGER'
const Teacher: StaffRole = 'STAFF_ROLE_TEACHER'

export const sections: Section[] = [
  { name: 'pupils', path: '/pupils', roles: [Admin, Finance, Teacher], ready: true },
  { name: 'canteens', path: '/canteens', roles: [Admin, Canteen], ready: true },
  { name: 'totals', path: '/totals', roles: [Admin, Finance, Canteen], ready: true },
  { name: 'staff', path: '/staff', roles: [Admin], ready: true },
  { name: 'fees', path: '/fees', roles: [Admin, Finance, Teacher], ready: true },
  { name: 'limits', path: '/limits', roles: [Admin], ready: false },
]

export function sectionsFor(role: StaffRole | ''): Section[] {
  return role ? sections.filter((s) => s.roles.includes(role)) : []
}

/** The first section a role sees (its home). */
export function homeFor(role: StaffRole | ''): string {
  return sectionsFor(role)[0]?.name ?? 'pupils'
}

/** What a role may do beyond seeing a section (the server checks again). */
export const can = {
  importPupils: (r: StaffRole | '') => r === Admin || r === Finance,
  wholeSchool: (r: StaffRole | '') => r === Admin || r === Finance,
  bindCode: (r: StaffRole | '') => r === Admin || r === Teacher,
  guardians: (r: StaffRole | '') => r === Admin || r === Teacher,
  unbind: (r: StaffRole | '') => r === Admin,
  manageCanteens: (r: StaffRole | '') => r === Admin || r === Canteen,
  /** Define, publish, close fee items; take cash; grant exemptions. */
  writeFees: (r: StaffRole | '') => r === Admin || r === Finance,
}
