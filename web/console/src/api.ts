// The staff console's calls (auth.proto, staff.proto) and its session.
import { reactive } from 'vue'
import { ApiClient } from '@shared/api'
import type { ListPupilsResponse, StaffLoginResponse, StaffRole, WhoamiResponse } from '@shared/types'

export const client = new ApiClient({
  tokenKey: 'onecode.console.token',
  onUnauthenticated: () => window.dispatchEvent(new Event('onecode:logged-out')),
})

/** The staff member logged in (from the login answer, or Whoami after a reload). */
export const session = reactive({ role: '' as StaffRole | '', schoolId: '', classId: '', username: '' })

export const api = {
  async login(schoolId: string, username: string, password: string): Promise<void> {
    const r = await client.post<StaffLoginResponse>('/v1/auth/staff/login', { schoolId, username, password })
    client.setToken(r.token)
    Object.assign(session, { role: r.role, schoolId: r.schoolId, classId: r.classId, username })
  },
  async whoami(): Promise<void> {
    const r = await client.get<WhoamiResponse>('/v1/auth/whoami')
    Object.assign(session, { role: r.role, schoolId: r.schoolId, classId: r.classId, username: r.subjectId })
  },
  async logout(): Promise<void> {
    try {
      await client.post('/v1/auth/logout')
    } finally {
      client.setToken(null)
      Object.assign(session, { role: '', schoolId: '', classId: '', username: '' })
    }
  },
  pupils: (classId: string, pageToken: string, pageSize = 50) =>
    client.get<ListPupilsResponse>('/v1/staff/pupils', { classId, pageToken, pageSize }),
}
