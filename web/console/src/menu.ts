// The console's sections and which staff roles see them (StaffRole in auth.proto):
// admin everything; finance pupils, fees, totals; canteen manager canteens, totals;
// teacher the pupils of their class.
import type { StaffRole } from '@shared/types'

export interface Section { name: string; path: string; roles: StaffRole[]; ready: boolean }

const Admin: StaffRole = 'STAFF_ROLE_SCHOOL_ADMIN'
const Finance: StaffRole = 'STAFF_ROLE_FINANCE'
const Canteen: StaffRole = 'STAFF_ROLE_CANTEEN_MANAGER'
const Teacher: StaffRole = 'STAFF_ROLE_TEACHER'

export const sections: Section[] = [
  { name: 'pupils', path: '/pupils', roles: [Admin, Finance, Teacher], ready: true },
  { name: 'canteens', path: '/canteens', roles: [Admin, Canteen], ready: false },
  { name: 'fees', path: '/fees', roles: [Admin, Finance], ready: false },
  { name: 'totals', path: '/totals', roles: [Admin, Finance, Canteen], ready: false },
  { name: 'staff', path: '/staff', roles: [Admin], ready: false },
  { name: 'limits', path: '/limits', roles: [Admin], ready: false },
]

export function sectionsFor(role: StaffRole | ''): Section[] {
  return role ? sections.filter((s) => s.roles.includes(role)) : []
}
