import type { JSAPIPayment, PayChannel } from './pay'
// Wire types of the REST API (protojson: lowerCamelCase names, int64 as strings,
// enums as their names), from protos/onecode/api/v1/*.proto.

export type Int64 = string

export interface Child {
  accountId: string
  maskedName: string
  schoolName: string
  className: string
  balanceFen: Int64
  /** "active", "lost", "expired" */
  cardState: string
  dailySpendCapFen: Int64
  spentTodayFen: Int64
  arrearsCapFen: Int64
}

export interface HistoryItem { name: string; qty: number; unitPriceFen: Int64 }

export interface HistoryLine {
  seq: Int64
  atUnix: Int64
  kind: string
  amountFen: Int64
  items: HistoryItem[]
  place: string
  arrears: boolean
}

export interface ListHistoryResponse { lines: HistoryLine[]; nextPageToken: string }

export type RechargeState =
  | 'STATE_UNSPECIFIED' | 'STATE_PENDING' | 'STATE_AWAITING_PAYMENT' | 'STATE_CREDITED' | 'STATE_CLOSED' | 'STATE_FAILED'

export interface Recharge {
  orderId: string
  accountId: string
  amountFen: Int64
  state: RechargeState
  /** H5: where the browser pays (only while awaiting payment). */
  payUrl: string
  createdUnix: Int64
  expiresUnix: Int64
  channel?: PayChannel
  /** NATIVE: the text of the QR code to show (only while awaiting payment). */
  codeUrl?: string
  /** JSAPI: the parameters for WeixinJSBridge (only while awaiting payment). */
  jsapi?: JSAPIPayment
}

export interface FindChildResponse {
  maskedName: string
  maskedStudentNo: string
  className: string
  schoolName: string
  bindTicket: string
}

export type StaffRole =
  | 'STAFF_ROLE_UNSPECIFIED' | 'STAFF_ROLE_SCHOOL_ADMIN' | 'STAFF_ROLE_FINANCE' | 'STAFF_ROLE_CANTEEN_MANAGER' | 'STAFF_ROLE_TEACHER'

export interface StaffLoginResponse { token: string; expiresUnix: Int64; role: StaffRole; schoolId: string; classId: string }
export interface ParentLoginResponse { token: string; expiresUnix: Int64; parentId: string }
export interface WhoamiResponse {
  kind: string; subjectId: string; role: StaffRole; schoolId: string; classId: string; maskedPhone: string
}

export interface Pupil {
  accountId: string
  studentNo: string
  name: string
  classId: string
  balanceFen: Int64
  cardState: string
  cardGeneration: Int64
}
export interface ListPupilsResponse { pupils: Pupil[]; nextPageToken: string }

// Fee items and bills (fee.proto).
export type FeeCategory = 'tuition' | 'books' | 'uniform' | 'meals' | 'trip' | 'insurance' | 'other'
export type FeeTargetKind = 'school' | 'classes' | 'accounts'
export type FeeItemState = 'draft' | 'published' | 'closed'
export type BillStatus = 'unpaid' | 'partly_paid' | 'paid' | 'exempt' | 'closed'

export interface FeeItemDefinition {
  title: string; category: FeeCategory; amountFen: Int64; targetKind: FeeTargetKind
  classIds?: string[]; accountIds?: string[]; dueDay?: string; allowBalance?: boolean
}
export interface FeeItem { itemId: string; definition: FeeItemDefinition; state: FeeItemState; createdBy?: string; createdAt?: string; updatedAt?: string }

export interface FeeBill {
  itemId: string; accountId: string; classId?: string
  dueFen?: Int64; paidFen?: Int64; exemptedFen?: Int64; outstandingFen?: Int64; refundedFen?: Int64
  status: BillStatus; dueDay?: string; title?: string; category?: FeeCategory; replayed?: boolean
  allowBalance?: boolean
}

/** BillPayment is one payment on a bill (fee_extras.proto, ListBillPayments). */
export interface BillPayment {
  at?: string // RFC 3339
  amountFen?: Int64
  method?: 'online' | 'cash' | 'balance'
  reference?: string
  refundedFen?: Int64
}
