package binding

import (
	"encoding/json"
	"time"
)

// Notice events.
const (
	EventBound        = "bound"         // a new guardian was bound
	EventUnbound      = "unbound"       // a guardian unbound themself
	EventUnboundStaff = "unbound_staff" // the school unbound a guardian
)

// Notice is what the other guardians of a pupil are told when the pupil's guardians
// change. It carries masked data only: the pupil's masked name and student number, the
// guardian's masked phone, never a full name, phone, ID number or account id (which
// embeds the student number).
type Notice struct {
	Event           string `json:"event"`
	MaskedName      string `json:"masked_name"`
	MaskedStudentNo string `json:"masked_student_no"`
	// MaskedPhone is the phone of the guardian bound or unbound.
	MaskedPhone string `json:"masked_phone"`
	Relation    string `json:"relation,omitempty"`
	At          string `json:"at"` // RFC 3339
	Text        string `json:"text"`
}

// NewNotice builds the notice of event at at, with its message text.
func NewNotice(event, maskedName, maskedStudentNo, maskedPhone, relation string, at time.Time) Notice {
	n := Notice{Event: event, MaskedName: maskedName, MaskedStudentNo: maskedStudentNo,
		MaskedPhone: maskedPhone, Relation: relation, At: at.UTC().Format(time.RFC3339)}
	switch event {
	case EventBound:
		n.Text = "A new guardian (" + maskedPhone + ") was bound to " + maskedName + " (" + maskedStudentNo +
			"). If you do not know them, ask the school to unbind them and report the card lost."
	case EventUnbound:
		n.Text = "The guardian " + maskedPhone + " unbound themself from " + maskedName + " (" + maskedStudentNo + ")."
	default:
		n.Text = "The school unbound the guardian " + maskedPhone + " from " + maskedName + " (" + maskedStudentNo + ")."
	}
	return n
}

// Payload is the notice as JSON (an outbox payload).
func (n Notice) Payload() []byte {
	b, _ := json.Marshal(n) // strings only: cannot fail
	return b
}

// MaskStudentNo shows a student number as 2024****01.
func MaskStudentNo(no string) string {
	if len(no) < 7 {
		return mask(len(no))
	}
	return no[:4] + mask(len(no)-6) + no[len(no)-2:]
}

func mask(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '*'
	}
	return string(b)
}
