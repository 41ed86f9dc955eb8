// Wire types of the staff API (staff.proto, admin.proto) the console uses; protojson:
// lowerCamelCase, int64 as strings, enums by name, unset fields omitted.
import type { HistoryLine, Int64, Pupil, StaffRole } from '@shared/types'

export type { HistoryLine, Pupil, StaffRole }

export interface SchoolClass { schoolId: string; id: string; name: string; grade?: number }
export interface ListClassesResponse { classes?: SchoolClass[] }

export type ImportMode = 'IMPORT_MODE_CREATE_ONLY' | 'IMPORT_MODE_UPDATE'
export type ImportOutcome = 'IMPORT_OUTCOME_UNSPECIFIED' | 'IMPORT_OUTCOME_CREATED' | 'IMPORT_OUTCOME_UPDATED' | 'IMPORT_OUTCOME_UNCHANGED'
export interface RowError { row?: number; reason?: string; message?: string }
export interface ImportedRow { row?: number; studentNo?: string; accountId?: string; outcome?: ImportOutcome }
export interface ImportResponse {
  imported?: number; errors?: RowError[]; rows?: ImportedRow[]; created?: number; updated?: number; unchanged?: number
}

export interface GetPupilResponse { pupil: Pupil }
export interface PupilHistoryResponse { lines?: HistoryLine[]; nextPageToken?: string }
export interface LossResponse { cardState: string; cardGeneration: Int64 }
export interface ReissueResponse { cardQr: string; cardGeneration: Int64 }
export interface BindCodeResponse { bindCode: string; expiresUnix: Int64 }
export interface Guardian { parentId: string; maskedPhone?: string; relation?: string; boundUnix?: Int64 }
export interface GuardiansResponse { guardians?: Guardian[] }

export interface Canteen { schoolId: string; id: string; name: string }
export interface CanteenTerminal { terminalId: string; name?: string; enabled?: boolean; canOverride?: boolean; createdUnix?: Int64 }
export interface StaffCanteen { canteen: Canteen; terminals?: CanteenTerminal[] }
export interface ListCanteensResponse { canteens?: StaffCanteen[] }
export interface RegisterTerminalResponse { terminalId: string; secret: string }
export interface SetTerminalEnabledResponse { terminalId: string; enabled?: boolean }

export interface Dish {
  canteenId?: string; barcode: string; name: string; priceFen: Int64
  kcal?: number; proteinMg?: number; fatMg?: number; carbMg?: number; allergens?: string[]; active?: boolean
}
export interface ListDishesResponse { dishes?: Dish[]; nextPageToken?: string }
export interface PutDishResponse { dish: Dish; catalogVersion: Int64 }

export interface DayTotal { day: string; count?: Int64; sumFen?: Int64 }
export interface TotalsResponse { days?: DayTotal[] }

export interface StaffUser { staffId: string; schoolId: string; username: string; role: StaffRole; classId?: string; enabled?: boolean; email?: string }
export interface PutStaffResponse { staff: StaffUser }
export interface ListStaffResponse { staff?: StaffUser[]; nextPageToken?: string }
/** A school's default limits (staff.proto SchoolLimits), int64 fen as strings; absent when zero. */
export interface SchoolLimits { singleRechargeMaxFen?: Int64; balanceCapFen?: Int64; dailySpendCapFen?: Int64; arrearsCapFen?: Int64 }

export interface FeeClassTotal { classId: string; bills?: Int64; settled?: Int64; dueFen?: Int64; paidFen?: Int64; exemptedFen?: Int64; outstandingFen?: Int64; refundedFen?: Int64 }
export interface ListFeeBillsResponse { bills?: import('@shared/types').FeeBill[]; nextPageToken?: string }
export interface PublishFeeItemResponse { item: import('@shared/types').FeeItem; bills?: number; issued?: number }
// Operations (ops.proto). Int64 fields arrive as strings; absent when zero.
export interface OpsMember {
  id: string; address: string; state?: string; self?: boolean; since?: string
  activeAccounts?: Int64; activations?: Int64; passivations?: Int64; mailboxes?: { actor: string; depth?: Int64 }[]
}
export interface MembersResponse { members?: OpsMember[] }
export interface JournalResponse {
  member?: string; queueDepth?: Int64; queueCapacity?: Int64; batchP50?: number; batchP99?: number
  flushP50Ms?: number; flushP99Ms?: number; commitsPerSecond?: number; batches?: Int64; appends?: Int64
  failedBatches?: Int64; rejected?: Int64; lastError?: string; lastErrorAt?: string
}
export interface BreakersResponse { breakers?: { name: string; state: string }[] }
export interface OpsTerminal {
  terminalId: string; schoolId?: string; canteenId?: string; online?: boolean; lastHeartbeat?: string; connectedAt?: string
  version?: string; salesToday?: Int64; salesTodayFen?: Int64; declinesToday?: Record<string, Int64>
  member?: string
}
export interface TerminalsResponse { terminals?: OpsTerminal[] }
export interface BacklogsResponse { openOrders?: Int64; overdueOrders?: Int64; outboxPending?: Int64 }
export interface OpsAlarm {
  id: string; dedupeKey?: string; kind: string; level: string; schoolId?: string; subject?: string; message?: string
  raisedAt?: string; lastSeen?: string; count?: Int64; clearedAt?: string; acknowledgedBy?: string; acknowledgedAt?: string
}
export interface AlarmsResponse { alarms?: OpsAlarm[]; nextPageToken?: string }
// Refunds (refund.proto). Int64 fields arrive as strings; absent when zero.
export interface Refund {
  refundNo: string; orderId?: string; accountId?: string; itemId?: string; amountFen?: Int64; reason?: string
  staffId?: string; state: string; createdAt?: string; updatedAt?: string
}
export interface RefundResponse { refund: Refund }
export interface ListRefundsResponse { refunds?: Refund[] }
// Notices (staff.proto ListNotices): no payload, the recipient masked.
export interface NoticeStatus {
  id: Int64; kind: string; maskedRecipient?: string; state: string; reason?: string
  createdUnix?: Int64; doneUnix?: Int64; attempts?: number; channel?: string
  // The channels that actually carried it (each once); channel is the preferred one.
  deliveredChannels?: string[]
}
export interface ListNoticesResponse { notices?: NoticeStatus[]; nextBeforeId?: Int64 }

// An item's journal of changes (FeeItemStaffService).
export interface FeeItemChange {
  seq: Int64; kind: string; staffId: string; role?: string; accountId?: string; at: string; detail?: string
}
export interface ListFeeItemChangesResponse { changes?: FeeItemChange[]; nextPageToken?: string }
