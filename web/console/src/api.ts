// The staff console's calls (auth.proto, staff.proto) and its session.
import { reactive } from 'vue'
import { ApiClient, newRequestID } from '@shared/api'
import type { FeeBill, FeeItem, FeeItemDefinition, ListPupilsResponse, StaffLoginResponse, StaffRole, WhoamiResponse } from '@shared/types'
import type {
  BindCodeResponse, Dish, GetPupilResponse, GuardiansResponse, ImportMode, ImportResponse, ListCanteensResponse,
  ListClassesResponse, ListDishesResponse, LossResponse, PupilHistoryResponse, PutDishResponse, PutStaffResponse,
  RegisterTerminalResponse, ReissueResponse, SetTerminalEnabledResponse, TotalsResponse,
} from './types'
import type { FeeClassTotal, ListFeeBillsResponse, PublishFeeItemResponse } from './types'

export const client = new ApiClient({
  tokenKey: 'onecode.console.token',
  onUnauthenticated: () => window.dispatchEvent(new Event('onecode:logged-out')),
})

/** The staff member logged in (from the login answer, or Whoami after a reload). */
export const session = reactive({ role: '' as StaffRole | '', schoolId: '', classId: '', username: '' })

const seg = encodeURIComponent

export const api = {
  async login(schoolId: string, username: string, password: string): Promise<void> {
    const r = await client.post<StaffLoginResponse>('/v1/auth/staff/login', { schoolId, username, password })
    client.setToken(r.token)
    Object.assign(session, { role: r.role, schoolId: r.schoolId, classId: r.classId ?? '', username })
  },
  async whoami(): Promise<void> {
    const r = await client.get<WhoamiResponse>('/v1/auth/whoami')
    Object.assign(session, { role: r.role, schoolId: r.schoolId, classId: r.classId ?? '', username: r.subjectId })
  },
  async logout(): Promise<void> {
    try {
      await client.post('/v1/auth/logout')
    } finally {
      client.setToken(null)
      Object.assign(session, { role: '', schoolId: '', classId: '', username: '' })
    }
  },

  // Pupils and cards.
  classes: () => client.get<ListClassesResponse>('/v1/staff/classes'),
  pupils: (classId: string, pageToken: string, pageSize = 100) =>
    client.get<ListPupilsResponse>('/v1/staff/pupils', { classId, pageToken, pageSize }),
  importFile: (format: 'csv' | 'xlsx', contentBase64: string, cardExpiry: string, mode: ImportMode) =>
    client.post<ImportResponse>('/v1/staff/pupils:importFile', { format, content: contentBase64, cardExpiry, mode }),
  pupil: (id: string) => client.get<GetPupilResponse>(`/v1/staff/pupils/${seg(id)}`),
  history: (id: string, pageToken: string, pageSize = 20) =>
    client.get<PupilHistoryResponse>(`/v1/staff/pupils/${seg(id)}/history`, { pageToken, pageSize }),
  reportLoss: (id: string) =>
    client.post<LossResponse>(`/v1/staff/pupils/${seg(id)}:reportLoss`, { requestId: newRequestID('console') }),
  reissue: (id: string, cardExpiry: string) =>
    client.post<ReissueResponse>(`/v1/staff/pupils/${seg(id)}:reissueCard`, { requestId: newRequestID('console'), cardExpiry }),
  bindCode: (id: string) => client.post<BindCodeResponse>(`/v1/staff/pupils/${seg(id)}:issueBindCode`),
  guardians: (id: string) => client.get<GuardiansResponse>(`/v1/staff/pupils/${seg(id)}/guardians`),
  unbind: (id: string, parentId: string) => client.post(`/v1/staff/pupils/${seg(id)}/guardians/${seg(parentId)}:unbind`),
  classSheet: (classId: string) => client.blob(`/v1/staff/classes/${seg(classId)}/sheet.pdf`),
  pupilCard: (id: string) => client.blob(`/v1/staff/pupils/${seg(id)}/card.pdf`),

  // Canteens, dishes, terminals, totals.
  canteens: () => client.get<ListCanteensResponse>('/v1/staff/canteens'),
  putCanteen: (id: string, name: string) => client.put(`/v1/staff/canteens/${seg(id)}`, { name }),
  dishes: (canteenId: string, pageToken: string, pageSize = 100) =>
    client.get<ListDishesResponse>(`/v1/staff/canteens/${seg(canteenId)}/dishes`, { pageToken, pageSize }),
  dishLabels: (canteenId: string) => client.blob(`/v1/staff/canteens/${seg(canteenId)}/labels.pdf`),
  putDish: (canteenId: string, d: Dish) =>
    client.put<PutDishResponse>(`/v1/staff/canteens/${seg(canteenId)}/dishes/${seg(d.barcode)}`, { dish: d }),
  registerTerminal: (canteenId: string, terminalId: string, name: string, canOverride: boolean) =>
    client.post<RegisterTerminalResponse>(`/v1/staff/canteens/${seg(canteenId)}/terminals`, { terminalId, name, canOverride }),
  setTerminalEnabled: (terminalId: string, enabled: boolean) =>
    client.post<SetTerminalEnabledResponse>(`/v1/staff/terminals/${seg(terminalId)}:setEnabled`, { enabled }),
  totals: (canteenId: string, fromDay: string, toDay: string) =>
    client.get<TotalsResponse>(`/v1/staff/canteens/${seg(canteenId)}/totals`, { fromDay, toDay }),

  // Fee items (fee.proto, FeeStaffService). Cash and exemptions carry the request id
  // of the dialog that sends them: a retry of the same dialog answers its first outcome.
  feeItems: async (pageSize = 100) => (await client.get<{ items?: FeeItem[] }>('/v1/staff/fee-items', { pageSize })).items ?? [],
  feeItem: async (id: string) => (await client.get<{ item: FeeItem }>(`/v1/staff/fee-items/${seg(id)}`)).item,
  createFeeItem: async (definition: FeeItemDefinition) =>
    (await client.post<{ item: FeeItem }>('/v1/staff/fee-items', { definition })).item,
  updateFeeItem: async (id: string, definition: FeeItemDefinition) =>
    (await client.post<{ item: FeeItem }>(`/v1/staff/fee-items/${seg(id)}:update`, { definition })).item,
  publishFeeItem: (id: string) => client.post<PublishFeeItemResponse>(`/v1/staff/fee-items/${seg(id)}:publish`, {}),
  closeFeeItem: async (id: string) => (await client.post<{ item: FeeItem }>(`/v1/staff/fee-items/${seg(id)}:close`, {})).item,
  feeTotals: async (id: string) => (await client.get<{ classes?: FeeClassTotal[] }>(`/v1/staff/fee-items/${seg(id)}/totals`)).classes ?? [],
  feeBills: (id: string, classId: string, pageToken: string, pageSize = 200) =>
    client.get<ListFeeBillsResponse>(`/v1/staff/fee-items/${seg(id)}/bills`, { classId, pageToken, pageSize }),
  payCash: async (id: string, accountId: string, amountFen: bigint, voucher: string, requestId: string) =>
    (await client.post<{ bill: FeeBill }>(`/v1/staff/fee-items/${seg(id)}/bills/${seg(accountId)}:payCash`, {
      amountFen: amountFen.toString(), voucher, requestId,
    })).bill,
  exempt: async (id: string, accountId: string, amountFen: bigint, reason: string, requestId: string) =>
    (await client.post<{ bill: FeeBill }>(`/v1/staff/fee-items/${seg(id)}/bills/${seg(accountId)}:exempt`, {
      amountFen: amountFen.toString(), reason, requestId,
    })).bill,

  // Staff accounts.
  putStaff: (username: string, role: StaffRole, classId: string, password: string, enabled: boolean) =>
    client.put<PutStaffResponse>(`/v1/staff/staff/${seg(username)}`, { role, classId, password, enabled }),
}
