// The staff console's calls (auth.proto, staff.proto) and its session.
import { reactive } from 'vue'
import { ApiClient, newRequestID } from '@shared/api'
import type { FeeBill, FeeItem, FeeItemDefinition, ListPupilsResponse, StaffLoginResponse, StaffRole, WhoamiResponse } from '@shared/types'
import type { ConsoleRole } from './menu'
import type {
  AlarmsResponse, BacklogsResponse, BreakersResponse, JournalResponse, MembersResponse, OpsAlarm, TerminalsResponse,
  BindCodeResponse, Dish, GetPupilResponse, GuardiansResponse, ImportMode, ImportResponse, ListCanteensResponse,
  ListClassesResponse, ListDishesResponse, LossResponse, PupilHistoryResponse, PutDishResponse, PutStaffResponse,
  RegisterTerminalResponse, ReissueResponse, SetTerminalEnabledResponse, TotalsResponse,
} from './types'
import type { FeeClassTotal, ListFeeBillsResponse, ListFeeItemChangesResponse, PublishFeeItemResponse } from './types'
import type { ListNoticesResponse, ListRefundsResponse, ListStaffResponse, RefundResponse, SchoolLimits } from './types'

export const client = new ApiClient({
  tokenKey: 'onecode.console.token',
  onUnauthenticated: () => window.dispatchEvent(new Event('onecode:logged-out')),
})

/** The staff member logged in (from the login answer, or Whoami after a reload), or the operator. */
export const session = reactive({ role: '' as ConsoleRole | '', schoolId: '', classId: '', username: '' })

// The operator logs in with the operator token (<data-dir>/operator.token), which has
// no session behind it: this flag (in the tab's sessionStorage, beside the token)
// says the token is the operator's, so that a reload skips Whoami.
const operatorFlag = 'onecode.console.operator'

function operatorStorage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null
  } catch {
    return null
  }
}

/** restoreOperator makes the session the operator's after a reload; false if it is not. */
export function restoreOperator(): boolean {
  if (operatorStorage()?.getItem(operatorFlag) !== '1') return false
  Object.assign(session, { role: 'OPERATOR', schoolId: '', classId: '', username: 'operator' })
  return true
}

const seg = encodeURIComponent

export const api = {
  async login(schoolId: string, username: string, password: string): Promise<void> {
    const r = await client.post<StaffLoginResponse>('/v1/auth/staff/login', { schoolId, username, password })
    client.setToken(r.token)
    Object.assign(session, { role: r.role, schoolId: r.schoolId, classId: r.classId ?? '', username })
  },
  /** operatorLogin checks the operator token against the ops API and keeps it. */
  async operatorLogin(token: string): Promise<void> {
    client.setToken(token)
    try {
      await client.get<MembersResponse>('/v1/ops/members')
    } catch (e) {
      client.setToken(null)
      throw e
    }
    operatorStorage()?.setItem(operatorFlag, '1')
    Object.assign(session, { role: 'OPERATOR', schoolId: '', classId: '', username: 'operator' })
  },
  async whoami(): Promise<void> {
    const r = await client.get<WhoamiResponse>('/v1/auth/whoami')
    Object.assign(session, { role: r.role, schoolId: r.schoolId, classId: r.classId ?? '', username: r.subjectId })
  },
  async logout(): Promise<void> {
    const operator = session.role === 'OPERATOR'
    operatorStorage()?.removeItem(operatorFlag)
    try {
      if (!operator) await client.post('/v1/auth/logout')
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
  feeChanges: (id: string, pageToken: string, pageSize = 100) =>
    client.get<ListFeeItemChangesResponse>(`/v1/staff/fee-items/${seg(id)}/changes`, { pageToken, pageSize }),
  addPupilToFee: async (id: string, accountId: string) =>
    (await client.post<{ bill: FeeBill }>(`/v1/staff/fee-items/${seg(id)}:addPupil`, { accountId })).bill,
  remindUnpaid: (id: string, classId: string) =>
    client.post<{ queued?: number; skipped?: number }>(`/v1/staff/fee-items/${seg(id)}:remindUnpaid`, { classId }),
  unpaidXlsx: (id: string, classId: string) =>
    client.blob(`/v1/staff/fee-items/${seg(id)}/unpaid.xlsx` + (classId ? `?classId=${encodeURIComponent(classId)}` : '')),
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
  // Refunds (refund.proto): finance (and school admins) give back part of what was
  // paid online; the dialog's request id makes a retry answer its first outcome.
  refundBill: async (itemId: string, accountId: string, amountFen: bigint, reason: string, requestId: string) =>
    (await client.post<RefundResponse>(`/v1/staff/fee-items/${seg(itemId)}/bills/${seg(accountId)}:refund`, {
      amountFen: amountFen.toString(), reason, requestId,
    })).refund,
  refundRecharge: async (orderId: string, amountFen: bigint, reason: string, requestId: string) =>
    (await client.post<RefundResponse>(`/v1/staff/recharges/${seg(orderId)}:refund`, { amountFen: amountFen.toString(), reason, requestId })).refund,
  refunds: async (limit = 200) => (await client.get<ListRefundsResponse>('/v1/staff/refunds', { limit })).refunds ?? [],
  // Notices of the school (school admin or finance), newest first.
  notices: (beforeId: string, limit = 100) =>
    client.get<ListNoticesResponse>('/v1/staff/notices', { beforeId: beforeId || undefined, limit }),

  // Operations (operator only).
  opsMembers: () => client.get<MembersResponse>('/v1/ops/members'),
  opsJournal: () => client.get<JournalResponse>('/v1/ops/journal'),
  opsBreakers: () => client.get<BreakersResponse>('/v1/ops/breakers'),
  opsTerminals: () => client.get<TerminalsResponse>('/v1/ops/terminals'),
  opsBacklogs: () => client.get<BacklogsResponse>('/v1/ops/backlogs'),
  opsAlarms: (openOnly: boolean) => client.get<AlarmsResponse>('/v1/ops/alarms', { openOnly: openOnly ? 'true' : undefined, pageSize: 100 }),
  ackAlarm: (id: string) => client.post<{ alarm: OpsAlarm }>(`/v1/ops/alarms/${seg(id)}:acknowledge`),

  // Staff accounts.
  listStaff: (pageToken = '') => client.get<ListStaffResponse>('/v1/staff/staff', { pageSize: 200, pageToken: pageToken || undefined }),
  // School limits (fen as int64 strings).
  limits: () => client.get<{ limits?: SchoolLimits }>('/v1/staff/limits'),
  setLimits: (limits: SchoolLimits) => client.put<{ limits?: SchoolLimits }>('/v1/staff/limits', { limits }),
  // email replaces the stored address (empty: none): send the current one to keep it.
  putStaff: (username: string, role: StaffRole, classId: string, password: string, enabled: boolean, email: string) =>
    client.put<PutStaffResponse>(`/v1/staff/staff/${seg(username)}`, { role, classId, password, enabled, email }),
}
