package reason

// Code is a stable machine reason. Its string is the wire form (the `reason` of a REST
// error body, a terminal decline, an ErrorInfo detail).
type Code string

// String is the wire form.
func (c Code) String() string { return string(c) }

// Generic reasons, one per kind of failure that has no more precise reason.
const (
	InvalidArgument    Code = "INVALID_ARGUMENT"
	NotFound           Code = "NOT_FOUND"
	Conflict           Code = "CONFLICT"
	AlreadyExists      Code = "ALREADY_EXISTS"
	FailedPrecondition Code = "FAILED_PRECONDITION"
	PermissionDenied   Code = "PERMISSION_DENIED"
	Unauthenticated    Code = "UNAUTHENTICATED"
	ResourceExhausted  Code = "RESOURCE_EXHAUSTED"
	OutOfRange         Code = "OUT_OF_RANGE"
	Unavailable        Code = "UNAVAILABLE"
	DeadlineExceeded   Code = "DEADLINE_EXCEEDED"
	Canceled           Code = "CANCELED"
	Internal           Code = "INTERNAL"
	OutcomeUnknown     Code = "OUTCOME_UNKNOWN"
	RateLimited        Code = "RATE_LIMITED"
	InvalidRequest     Code = "INVALID_REQUEST"
	InvalidPageToken   Code = "INVALID_PAGE_TOKEN"
	InvalidPageSize    Code = "INVALID_PAGE_SIZE"
	InvalidRequestID   Code = "INVALID_REQUEST_ID"
	InvalidUTF8        Code = "INVALID_UTF8"
)

// Account rules (domain/account).
const (
	InvalidAmount        Code = "INVALID_AMOUNT"
	ItemsMismatch        Code = "ITEMS_MISMATCH"
	InvalidLimits        Code = "INVALID_LIMITS"
	InvalidCardRandom    Code = "INVALID_CARD_RANDOM"
	InvalidCardExpiry    Code = "INVALID_CARD_EXPIRY"
	CardRandomReused     Code = "CARD_RANDOM_REUSED"
	InvalidCommand       Code = "INVALID_COMMAND"
	AccountNotOpened     Code = "ACCOUNT_NOT_OPENED"
	AccountAlreadyOpened Code = "ACCOUNT_ALREADY_OPENED"
	WrongSchool          Code = "WRONG_SCHOOL"
	CardLost             Code = "CARD_LOST"
	CardReplaced         Code = "CARD_REPLACED"
	CardExpired          Code = "CARD_EXPIRED"
	DailyCapExceeded     Code = "DAILY_CAP_EXCEEDED"
	InsufficientFunds    Code = "INSUFFICIENT_FUNDS"
	ArrearsCapExceeded   Code = "ARREARS_CAP_EXCEEDED"
	ArrearsCapBelowDebt  Code = "ARREARS_CAP_BELOW_DEBT"
	PurchaseNotFound     Code = "PURCHASE_NOT_FOUND"
	VoidWrongTerminal    Code = "VOID_WRONG_TERMINAL"
	AlreadyVoided        Code = "ALREADY_VOIDED"
	VoidWindowClosed     Code = "VOID_WINDOW_CLOSED"
	// RechargeSingleMax is a recharge above the single maximum (one name for the rule:
	// the grain's decline and the order check alike).
	RechargeSingleMax = Code("RECHARGE_SINGLE_MAX")
	// RechargeBalanceCap is a recharge that would take balance + pending above the cap.
	RechargeBalanceCap  = Code("RECHARGE_BALANCE_CAP")
	IdempotencyConflict = Code("IDEMPOTENCY_CONFLICT")
	AmountOverflow      = Code("AMOUNT_OVERFLOW")
)

// Cards and terminals (card QR, terminal session, POS).
const (
	InvalidCard        Code = "INVALID_CARD"
	PriceChanged       Code = "PRICE_CHANGED"
	OverrideNotAllowed Code = "OVERRIDE_NOT_ALLOWED"
	UnknownDish        Code = "UNKNOWN_DISH"
	DishWithdrawn      Code = "DISH_WITHDRAWN"
	InvalidQty         Code = "INVALID_QTY"
	CartFull           Code = "CART_FULL"
	EmptyCart          Code = "EMPTY_CART"
	InvalidSeq         Code = "INVALID_SEQ"
	UnknownSale        Code = "UNKNOWN_SALE"
	UnexpectedMessage  Code = "UNEXPECTED_MESSAGE"
	TerminalDisabled   Code = "TERMINAL_DISABLED"
	TerminalExists     Code = "TERMINAL_EXISTS"
	AuthTimeout        Code = "AUTH_TIMEOUT"
	NoCards            Code = "NO_CARDS"
	NoDishes           Code = "NO_DISHES"
	TooManyDishes      Code = "TOO_MANY_DISHES"
	NoCardRandomLeft   Code = "NO_CARD_RANDOM_LEFT"
	ReissueSuperseded  Code = "REISSUE_SUPERSEDED"
)

// Directory, import and staff console.
const (
	SchoolNotFound       Code = "SCHOOL_NOT_FOUND"
	CanteenNotFound      Code = "CANTEEN_NOT_FOUND"
	CanteenOfOtherSchool Code = "CANTEEN_OF_OTHER_SCHOOL"
	ClassNotFound        Code = "CLASS_NOT_FOUND"
	ClassTooLarge        Code = "CLASS_TOO_LARGE"
	AccountNotFound      Code = "ACCOUNT_NOT_FOUND"
	UnknownClass         Code = "UNKNOWN_CLASS"
	InvalidClassID       Code = "INVALID_CLASS_ID"
	InvalidStudentNo     Code = "INVALID_STUDENT_NO"
	StudentNoRequired    Code = "STUDENT_NO_REQUIRED"
	DuplicateStudentNo   Code = "DUPLICATE_STUDENT_NO"
	InvalidName          Code = "INVALID_NAME"
	InvalidIDNumber      Code = "INVALID_ID_NUMBER"
	InvalidRow           Code = "INVALID_ROW"
	InvalidFile          Code = "INVALID_FILE"
	TooManyErrors        Code = "TOO_MANY_ERRORS"
	ImportIncomplete     Code = "IMPORT_INCOMPLETE"
	OpenFailed           Code = "OPEN_FAILED"
	PupilExists          Code = "PUPIL_EXISTS"
)

// Staff accounts, sessions and roles.
const (
	RoleNotAllowed      Code = "ROLE_NOT_ALLOWED"
	StaffOnly           Code = "STAFF_ONLY"
	ParentOnly          Code = "PARENT_ONLY"
	StaffDisabled       Code = "STAFF_DISABLED"
	SelfLockout         Code = "SELF_LOCKOUT"
	InvalidPassword     Code = "INVALID_PASSWORD"
	PasswordRequired    Code = "PASSWORD_REQUIRED"
	InvalidCredentials  Code = "INVALID_CREDENTIALS"
	ClassIDRequired     Code = "CLASS_ID_REQUIRED"
	StaffIDTaken        Code = "STAFF_ID_TAKEN"
	StaffConflict       Code = "STAFF_CONFLICT"
	SessionsNotEnded    Code = "SESSIONS_NOT_ENDED"
	OperatorAPIDisabled Code = "OPERATOR_API_DISABLED"
	AuthDisabled        Code = "AUTH_DISABLED"
	InvalidCode         Code = "INVALID_CODE"
	InvalidCodeFormat   Code = "INVALID_CODE_FORMAT"
	InvalidPhone        Code = "INVALID_PHONE"
	SessionClosed       Code = "SESSION_CLOSED"
	SessionError        Code = "SESSION_ERROR"
	StreamError         Code = "STREAM_ERROR"
	SystemError         Code = "SYSTEM_ERROR"
	SignError           Code = "SIGN_ERROR"
)

// Parents, binding and online payment.
const (
	ChildNotFound         Code = "CHILD_NOT_FOUND"
	TooManyChildren       Code = "TOO_MANY_CHILDREN"
	TooManyGuardians      Code = "TOO_MANY_GUARDIANS"
	BindTicketInvalid     Code = "BIND_TICKET_INVALID"
	BindProofRequired     Code = "BIND_PROOF_REQUIRED"
	BindProofInvalid      Code = "BIND_PROOF_INVALID"
	NotBound              Code = "NOT_BOUND"
	RechargeNotFound      Code = "RECHARGE_NOT_FOUND"
	RechargeDisabled      Code = "RECHARGE_DISABLED"
	AggregatorUnavailable Code = "AGGREGATOR_UNAVAILABLE"
	OrderPaid             Code = "ORDER_PAID"
	OrderNotPaid          Code = "ORDER_NOT_PAID"
	OrderNotExist         Code = "ORDER_NOT_EXIST"
	OrderClosed           Code = "ORDER_CLOSED"
	OutTradeNoUsed        Code = "OUT_TRADE_NO_USED"
	RefundExceeded        Code = "REFUND_EXCEEDED"
)

// Fee items and bills (domain/fee, app/fees).
const (
	FeeItemNotFound        Code = "FEE_ITEM_NOT_FOUND"
	FeeItemNotDraft        Code = "FEE_ITEM_NOT_DRAFT"
	FeeItemNotPublished    Code = "FEE_ITEM_NOT_PUBLISHED"
	FeeItemClosed          Code = "FEE_ITEM_CLOSED"
	InvalidFeeItem         Code = "INVALID_FEE_ITEM"
	FeeTargetEmpty         Code = "FEE_TARGET_EMPTY"
	BillNotFound           Code = "BILL_NOT_FOUND"
	BillAlreadyIssued      Code = "BILL_ALREADY_ISSUED"
	BillOverpaid           Code = "BILL_OVERPAID"
	BillClosed             Code = "BILL_CLOSED"
	BillBalanceNotAllowed  Code = "BILL_BALANCE_NOT_ALLOWED"
	ExemptionNeedsReason   Code = "EXEMPTION_NEEDS_REASON"
	ExemptionNeedsApprover Code = "EXEMPTION_NEEDS_APPROVER"
	TooManyBills           Code = "TOO_MANY_BILLS"
	// BillOrderOpen: the bill has an online-payment order still open that cannot be
	// closed yet (its outcome is being settled); pay it, or try again shortly.
	BillOrderOpen Code = "BILL_ORDER_OPEN"
	// BillNothingDue: the bill has nothing outstanding to pay online.
	BillNothingDue Code = "BILL_NOTHING_DUE"
	// PupilNotActive: the pupil has left the school; no bill can be added for them.
	PupilNotActive Code = "PUPIL_NOT_ACTIVE"
	// UnknownStudentNo: a row of a per-pupil amount file names a student number that
	// is no active pupil of the school.
	UnknownStudentNo Code = "UNKNOWN_STUDENT_NO"
	// InvalidNote: the note of a per-pupil amount is too long or not text.
	InvalidNote Code = "INVALID_NOTE"
)

// Notice preferences (app/notify).
const (
	// NoticeAlwaysOn: login codes and arrears notices cannot be turned off.
	NoticeAlwaysOn Code = "NOTICE_ALWAYS_ON"
)

// WeChat official-account links of guardians (app/wxlink) and JSAPI payments.
const (
	// WeChatNotLinked: the parent has no WeChat account linked (JSAPI payment, unlink).
	WeChatNotLinked Code = "WECHAT_NOT_LINKED"
	// WeChatStateInvalid: the link's state is forged, expired, used or another parent's.
	WeChatStateInvalid Code = "WECHAT_STATE_INVALID"
	// WeChatCodeInvalid: WeChat refused the authorization code (used or expired).
	WeChatCodeInvalid Code = "WECHAT_CODE_INVALID"
	// WeChatDisabled: no WeChat official account is configured on this server.
	WeChatDisabled Code = "WECHAT_DISABLED"
	// ChannelInvalid: a recharge names an unknown payment channel.
	ChannelInvalid Code = "CHANNEL_INVALID"
	// ChannelUnsupported: the school's payment merchant does not take that channel
	// (JSAPI at Alipay, or a WeChat merchant whose appid is not the linked accounts').
	ChannelUnsupported Code = "CHANNEL_UNSUPPORTED"
)

// Refunds of fee payments and recharges (domain/account, app/recharge). A refund
// above what was paid is RefundExceeded (above).
const (
	// RefundBalanceShort: a recharge refund above the wallet's balance (spent money
	// is not refunded).
	RefundBalanceShort Code = "REFUND_BALANCE_SHORT"
	// RefundNotOpen: the refund is not being paid back (already settled or released).
	RefundNotOpen Code = "REFUND_NOT_OPEN"
	// RefundTooManyOpen: the account has too many refunds being paid back at once.
	RefundTooManyOpen Code = "REFUND_TOO_MANY_OPEN"
	// RefundNotFound: no such refund (or not the staff's school).
	RefundNotFound Code = "REFUND_NOT_FOUND"
	// RefundNoPayment: nothing refundable was paid online for the bill or order.
	RefundNoPayment Code = "REFUND_NO_ONLINE_PAYMENT"
)
