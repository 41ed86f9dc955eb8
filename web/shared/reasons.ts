// Reasons: the stable machine codes of REST error bodies ({error:{reason}}). This is
// the subset the pages use, mirroring domain/reason/reason.go: each key is the Go
// constant's name and each value its wire form (reasons.test.ts checks both against the
// Go file). Never compare a reason with a string literal: use Reason.X.

export const Reason = {
  // Generic
  InvalidArgument: 'INVALID_ARGUMENT',
  NotFound: 'NOT_FOUND',
  Conflict: 'CONFLICT',
  FailedPrecondition: 'FAILED_PRECONDITION',
  PermissionDenied: 'PERMISSION_DENIED',
  Unauthenticated: 'UNAUTHENTICATED',
  ResourceExhausted: 'RESOURCE_EXHAUSTED',
  Unavailable: 'UNAVAILABLE',
  DeadlineExceeded: 'DEADLINE_EXCEEDED',
  Internal: 'INTERNAL',
  OutcomeUnknown: 'OUTCOME_UNKNOWN',
  RateLimited: 'RATE_LIMITED',
  InvalidRequest: 'INVALID_REQUEST',
  InvalidPageToken: 'INVALID_PAGE_TOKEN',
  InvalidRequestID: 'INVALID_REQUEST_ID',
  // Account rules
  InvalidAmount: 'INVALID_AMOUNT',
  InvalidLimits: 'INVALID_LIMITS',
  AccountNotOpened: 'ACCOUNT_NOT_OPENED',
  CardLost: 'CARD_LOST',
  CardExpired: 'CARD_EXPIRED',
  DailyCapExceeded: 'DAILY_CAP_EXCEEDED',
  InsufficientFunds: 'INSUFFICIENT_FUNDS',
  RechargeSingleMax: 'RECHARGE_SINGLE_MAX',
  RechargeBalanceCap: 'RECHARGE_BALANCE_CAP',
  IdempotencyConflict: 'IDEMPOTENCY_CONFLICT',
  AmountOverflow: 'AMOUNT_OVERFLOW',
  // Directory and staff console
  SchoolNotFound: 'SCHOOL_NOT_FOUND',
  ClassNotFound: 'CLASS_NOT_FOUND',
  AccountNotFound: 'ACCOUNT_NOT_FOUND',
  InvalidStudentNo: 'INVALID_STUDENT_NO',
  InvalidName: 'INVALID_NAME',
  InvalidIDNumber: 'INVALID_ID_NUMBER',
  AlreadyExists: 'ALREADY_EXISTS',
  InvalidPageSize: 'INVALID_PAGE_SIZE',
  InvalidCardExpiry: 'INVALID_CARD_EXPIRY',
  CanteenNotFound: 'CANTEEN_NOT_FOUND',
  TerminalExists: 'TERMINAL_EXISTS',
  ClassTooLarge: 'CLASS_TOO_LARGE',
  NoCards: 'NO_CARDS',
  NoCardRandomLeft: 'NO_CARD_RANDOM_LEFT',
  ReissueSuperseded: 'REISSUE_SUPERSEDED',
  // Pupil import (file and row errors)
  UnknownClass: 'UNKNOWN_CLASS',
  InvalidClassID: 'INVALID_CLASS_ID',
  StudentNoRequired: 'STUDENT_NO_REQUIRED',
  DuplicateStudentNo: 'DUPLICATE_STUDENT_NO',
  InvalidRow: 'INVALID_ROW',
  InvalidFile: 'INVALID_FILE',
  TooManyErrors: 'TOO_MANY_ERRORS',
  ImportIncomplete: 'IMPORT_INCOMPLETE',
  OpenFailed: 'OPEN_FAILED',
  PupilExists: 'PUPIL_EXISTS',
  // Staff accounts, sessions and roles
  RoleNotAllowed: 'ROLE_NOT_ALLOWED',
  StaffOnly: 'STAFF_ONLY',
  ParentOnly: 'PARENT_ONLY',
  StaffDisabled: 'STAFF_DISABLED',
  InvalidCredentials: 'INVALID_CREDENTIALS',
  SelfLockout: 'SELF_LOCKOUT',
  InvalidPassword: 'INVALID_PASSWORD',
  PasswordRequired: 'PASSWORD_REQUIRED',
  ClassIDRequired: 'CLASS_ID_REQUIRED',
  StaffIDTaken: 'STAFF_ID_TAKEN',
  StaffConflict: 'STAFF_CONFLICT',
  AuthDisabled: 'AUTH_DISABLED',
  InvalidCode: 'INVALID_CODE',
  InvalidCodeFormat: 'INVALID_CODE_FORMAT',
  InvalidPhone: 'INVALID_PHONE',
  // Parents, binding and online payment
  ChildNotFound: 'CHILD_NOT_FOUND',
  TooManyChildren: 'TOO_MANY_CHILDREN',
  TooManyGuardians: 'TOO_MANY_GUARDIANS',
  BindTicketInvalid: 'BIND_TICKET_INVALID',
  BindProofRequired: 'BIND_PROOF_REQUIRED',
  BindProofInvalid: 'BIND_PROOF_INVALID',
  NotBound: 'NOT_BOUND',
  RechargeNotFound: 'RECHARGE_NOT_FOUND',
  RechargeDisabled: 'RECHARGE_DISABLED',
  AggregatorUnavailable: 'AGGREGATOR_UNAVAILABLE',
  // Fee bills paid online
  BillOrderOpen: 'BILL_ORDER_OPEN',
  BillNothingDue: 'BILL_NOTHING_DUE',
} as const

export type ReasonName = keyof typeof Reason
export type ReasonCode = (typeof Reason)[ReasonName]

/** Network is the client's own reason when no answer came (offline, timeout); not a server reason. */
export const NetworkFailure = 'NETWORK' as const
