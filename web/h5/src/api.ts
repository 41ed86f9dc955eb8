// The parent's calls (protos/onecode/api/v1/auth.proto and parent.proto).
import { ApiClient, newRequestID } from '@shared/api'
import { proofField } from './proof'
import type { NotificationPreferences, PrefUpdate } from './prefs'
import type { PayChannel } from '@shared/pay'
import type { BillPayment, Child, FeeBill, FindChildResponse, ListHistoryResponse, ParentLoginResponse, Recharge } from '@shared/types'

/** ParentNotice is one notice of the guardian's inbox (parent_notices.proto). */
export interface ParentNotice {
  id: string
  kind: string
  text?: string
  createdUnix?: string
  state?: string
}

export const client = new ApiClient({
  tokenKey: 'onecode.h5.token',
  onUnauthenticated: () => {
    // The router sends the parent to the login page on the next navigation.
    window.dispatchEvent(new Event('onecode:logged-out'))
  },
})

/** WeChatLink is the parent's WeChat link as they see it (wechat.proto; no openid). */
export interface WeChatLink {
  enabled?: boolean
  linked?: boolean
  linkedAt?: string // RFC 3339
}

const enc = encodeURIComponent

export const api = {
  requestCode: (phone: string) => client.post<{ retryAfterSeconds: number }>('/v1/auth/parent/code', { phone }),
  async login(phone: string, code: string): Promise<void> {
    const r = await client.post<ParentLoginResponse>('/v1/auth/parent/login', { phone, code })
    client.setToken(r.token)
  },
  async logout(): Promise<void> {
    try {
      await client.post('/v1/auth/logout')
    } finally {
      client.setToken(null)
    }
  },
  notificationPreferences: async () =>
    (await client.get<{ preferences?: NotificationPreferences }>('/v1/parent/notification-preferences')).preferences,
  updateNotificationPreferences: async (u: PrefUpdate) =>
    (await client.put<{ preferences?: NotificationPreferences }>('/v1/parent/notification-preferences', u)).preferences,
  // WeChat link (wechat.proto, WeChatService): the caller's own.
  wechatLink: async () => (await client.get<{ link?: WeChatLink }>('/v1/parent/wechat')).link ?? {},
  wechatAuthorizeUrl: async () => (await client.get<{ url: string }>('/v1/parent/wechat/authorize-url')).url,
  linkWeChat: async (code: string, state: string) =>
    (await client.post<{ link?: WeChatLink }>('/v1/parent/wechat/link', { code, state })).link ?? {},
  unlinkWeChat: async () => (await client.post<{ link?: WeChatLink }>('/v1/parent/wechat/unlink')).link ?? {},
  notices: (beforeId: string) =>
    client.get<{ notices?: ParentNotice[]; nextBeforeId?: string }>('/v1/parent/notices', { limit: 20, beforeId }),
  children: async () => (await client.get<{ children: Child[] }>('/v1/parent/children')).children ?? [],
  child: async (id: string) => (await client.get<{ child: Child }>(`/v1/parent/children/${enc(id)}`)).child,
  history: (id: string, pageToken: string, pageSize = 20) =>
    client.get<ListHistoryResponse>(`/v1/parent/children/${enc(id)}/history`, { pageSize, pageToken }),
  reportLoss: (id: string) =>
    client.post<{ cardState: string }>(`/v1/parent/children/${enc(id)}:reportLoss`, { requestId: newRequestID('loss') }),
  setDailyCap: (id: string, amountFen: bigint) =>
    client.post<{ dailySpendCapFen: string }>(`/v1/parent/children/${enc(id)}:setDailyCap`, {
      amountFen: amountFen.toString(), requestId: newRequestID('cap'),
    }),
  createRecharge: async (id: string, amountFen: bigint, requestId: string, channel: PayChannel = 'PAY_CHANNEL_H5') =>
    (await client.post<{ recharge: Recharge }>(`/v1/parent/children/${enc(id)}/recharges`, {
      amountFen: amountFen.toString(), requestId, channel,
    })).recharge,
  recharge: async (orderId: string) => (await client.get<{ recharge: Recharge }>(`/v1/parent/recharges/${enc(orderId)}`)).recharge,
  findChild: (q: { schoolId: string; name: string; studentNo?: string; idNumber?: string }) =>
    client.post<FindChildResponse>('/v1/parent/children:find', q),
  /**
   * bindChild confirms a binding. `proof` is the school-issued one-time bind code or
   * the pupil's ID-number tail that binding will soon require (issue 10); until the API
   * has the field the server ignores it (unknown JSON fields are discarded).
   */
  bindChild: async (bindTicket: string, relation: string, proof: string) =>
    (await client.post<{ child: Child }>('/v1/parent/children:bind', { bindTicket, relation, ...proofField(proof) })).child,
  // Fee bills (fee.proto, FeeParentService).
  bills: async (id: string) => (await client.get<{ bills?: FeeBill[] }>(`/v1/parent/children/${enc(id)}/bills`)).bills ?? [],
  payFromBalance: async (id: string, itemId: string, amountFen: bigint, requestId: string) =>
    (await client.post<{ bill: FeeBill }>(`/v1/parent/children/${enc(id)}/bills/${enc(itemId)}:payFromBalance`, {
      amountFen: amountFen.toString(), requestId,
    })).bill,
}

/**
 * payBillOnline starts paying what the bill has outstanding through the aggregator
 * (PayBillOnline): the order comes back with its payUrl; the same request id answers
 * the same order. billOrder polls it (GetBillOrder) until it is credited.
 */
export const payBillOnline: null | ((accountId: string, itemId: string, requestId: string, channel?: PayChannel) => Promise<Recharge>) =
  async (accountId, itemId, requestId, channel = 'PAY_CHANNEL_H5') =>
    (await client.post<{ order: Recharge }>(`/v1/parent/children/${enc(accountId)}/bills/${enc(itemId)}:payOnline`, { requestId, channel })).order

/** billOrder is the parent's own online-payment order of a bill. */
export const billOrder = async (orderId: string) =>
  (await client.get<{ order: Recharge }>(`/v1/parent/bill-orders/${enc(orderId)}`)).order

/** billPayments lists the payments of a child's paid bill, oldest first (ListBillPayments). */
export const billPayments = async (accountId: string, itemId: string) =>
  (await client.get<{ payments?: BillPayment[] }>(`/v1/parent/children/${enc(accountId)}/bills/${enc(itemId)}/payments`)).payments ?? []

/** receiptPDF is the electronic receipt (PDF) of a child's paid bill (GetBillReceipt). */
export const receiptPDF = (accountId: string, itemId: string) =>
  client.blob(`/v1/parent/children/${enc(accountId)}/bills/${enc(itemId)}/receipt.pdf`)
