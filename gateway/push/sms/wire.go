package sms

// Paths of the gateway API and of the switch's receipt endpoint.
const (
	SendPath    = "/sms/v1/send"
	ReceiptPath = "/push/sms/receipts"
)

// SendRequest is the body of POST SendPath.
type SendRequest struct {
	Phone          string            `json:"phone"`
	SignName       string            `json:"sign_name"`
	TemplateID     string            `json:"template_id"`
	TemplateParams map[string]string `json:"template_params"`
	OutID          string            `json:"out_id"` // the outbox id: receipts carry it back
}

// SendResponse is the answer: Code "OK" and a message id, or an error code.
type SendResponse struct {
	Code      string `json:"code"`
	Message   string `json:"message,omitempty"`
	MessageID string `json:"message_id,omitempty"`
}

// Answer codes of the gateway.
const (
	CodeOK               = "OK"
	CodeInvalidPhone     = "InvalidPhone"
	CodeTemplateRejected = "TemplateRejected" // unknown or unapproved template, or bad parameters
	CodeBlacklisted      = "PhoneBlacklisted" // the subscriber opted out
	CodeRateLimited      = "RateLimited"
	CodeSignature        = "SignatureInvalid"
	CodeBusy             = "SystemBusy"
)

// permanentCodes are the answers that no retry can change.
var permanentCodes = map[string]bool{CodeInvalidPhone: true, CodeTemplateRejected: true, CodeBlacklisted: true}

// Receipt states.
const (
	StatusDelivered   = "DELIVERED"
	StatusUndelivered = "UNDELIVERED"
)

// ReceiptBatch is the body the gateway posts to ReceiptPath.
type ReceiptBatch struct {
	Receipts []Receipt `json:"receipts"`
}

// Receipt is the delivery report of one message.
type Receipt struct {
	MessageID  string `json:"message_id"`
	OutID      string `json:"out_id"`
	Status     string `json:"status"`
	ErrorCode  string `json:"error_code,omitempty"`
	ReportedAt int64  `json:"reported_at"` // unix seconds
}

// MaxReceipts bounds one receipt batch.
const MaxReceipts = 500
