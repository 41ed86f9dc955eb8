package directory

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode"
	"unicode/utf8"
)

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

func digits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ValidateSchoolID checks a school id: five digits.
func ValidateSchoolID(id string) error {
	if !digits(id, 5) {
		return invalid("school id %q, want 5 digits", id)
	}
	return nil
}

// ValidateStudentNo checks a student number: ten digits.
func ValidateStudentNo(no string) error {
	if !digits(no, 10) {
		return invalid("student no %q, want 10 digits", no)
	}
	return nil
}

// ValidateID checks a class, canteen or terminal id: 1..MaxIDLen bytes of
// [A-Za-z0-9_.-].
func ValidateID(what, id string) error {
	if id == "" || len(id) > MaxIDLen {
		return invalid("%s id %q, want 1..%d bytes", what, id, MaxIDLen)
	}
	for _, c := range []byte(id) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
		if !ok {
			return invalid("%s id %q: want only [A-Za-z0-9_.-]", what, id)
		}
	}
	return nil
}

// ValidateAccountID checks a pupil's account id.
func ValidateAccountID(id string) error {
	if id == "" || len(id) > MaxAccountLen || !utf8.ValidString(id) {
		return invalid("account id of %d bytes, want 1..%d bytes of UTF-8", len(id), MaxAccountLen)
	}
	return nil
}

// validateText checks a name-like field: valid UTF-8, 1..max characters,
// no control characters.
func validateText(what, s string, max int) error {
	if !utf8.ValidString(s) {
		return invalid("%s is not UTF-8", what)
	}
	if n := utf8.RuneCountInString(s); n == 0 || n > max {
		return invalid("%s of %d characters, want 1..%d", what, n, max)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return invalid("%s has a control character", what)
		}
	}
	return nil
}

// ValidateLimit checks a page size or batch size.
func ValidateLimit(limit int) error {
	if limit < 1 || limit > MaxPage {
		return invalid("limit %d, want 1..%d", limit, MaxPage)
	}
	return nil
}

// ValidateSchool checks a school.
func ValidateSchool(s *School) error {
	if err := ValidateSchoolID(s.ID); err != nil {
		return err
	}
	if err := validateText("school name", s.Name, MaxNameLen); err != nil {
		return err
	}
	switch {
	case s.SingleRechargeMax <= 0 || s.BalanceCap <= 0 || s.DailySpendCap <= 0:
		return invalid("school %s: recharge max, balance cap and daily spend cap must be > 0", s.ID)
	case s.SingleRechargeMax > s.BalanceCap:
		return invalid("school %s: single recharge max %d above balance cap %d", s.ID, s.SingleRechargeMax, s.BalanceCap)
	case s.ArrearsCap < 0:
		return invalid("school %s: negative arrears cap", s.ID)
	case s.VoidWindowSeconds < 0 || s.VoidWindowSeconds > MaxVoidWindow:
		return invalid("school %s: void window %ds, want 0..%d", s.ID, s.VoidWindowSeconds, MaxVoidWindow)
	}
	return nil
}

// ValidateClass checks a class.
func ValidateClass(c *Class) error {
	if err := ValidateSchoolID(c.SchoolID); err != nil {
		return err
	}
	if err := ValidateID("class", c.ID); err != nil {
		return err
	}
	if err := validateText("class name", c.Name, MaxNameLen); err != nil {
		return err
	}
	if c.Grade < 1 || c.Grade > MaxGrade {
		return invalid("class %s: grade %d, want 1..%d", c.ID, c.Grade, MaxGrade)
	}
	return nil
}

// ValidatePupil checks a pupil on its own (not against the database).
func ValidatePupil(p *Pupil) error {
	if err := ValidateAccountID(p.AccountID); err != nil {
		return err
	}
	if err := ValidateSchoolID(p.SchoolID); err != nil {
		return err
	}
	if err := ValidateStudentNo(p.StudentNo); err != nil {
		return err
	}
	if err := validateText("pupil name", p.Name, MaxNameLen); err != nil {
		return err
	}
	if err := ValidateID("class", p.ClassID); err != nil {
		return err
	}
	if len(p.IDNumberHash) != IDNumberHashLen {
		return invalid("id number hash of %d bytes, want %d", len(p.IDNumberHash), IDNumberHashLen)
	}
	if !digits(p.CardRandom, 2) {
		return invalid("card random %q, want 2 digits", p.CardRandom)
	}
	if !validDate(p.CardExpiry) {
		return invalid("card expiry %d, want a date yyyymmdd in %d..%d", p.CardExpiry, MinCardExpiry, MaxCardExpiry)
	}
	if p.Status != PupilActive && p.Status != PupilLeft {
		return invalid("pupil status %q", p.Status)
	}
	return nil
}

func validDate(d int32) bool {
	if d < MinCardExpiry || d > MaxCardExpiry {
		return false
	}
	y, m, day := int(d/10000), time.Month(d/100%100), int(d%100)
	t := time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
	return t.Year() == y && t.Month() == m && t.Day() == day
}

// ValidateCanteen checks a canteen.
func ValidateCanteen(c *Canteen) error {
	if err := ValidateSchoolID(c.SchoolID); err != nil {
		return err
	}
	if err := ValidateID("canteen", c.ID); err != nil {
		return err
	}
	return validateText("canteen name", c.Name, MaxNameLen)
}

// ValidateTerminalStatus checks a terminal status.
func ValidateTerminalStatus(s TerminalStatus) error {
	if s != TerminalActive && s != TerminalDisabled {
		return invalid("terminal status %q", s)
	}
	return nil
}

// ValidateTerminal checks a terminal (CreatedAt is ignored).
func ValidateTerminal(t *Terminal) error {
	if err := ValidateID("terminal", t.ID); err != nil {
		return err
	}
	if err := ValidateSchoolID(t.SchoolID); err != nil {
		return err
	}
	if err := ValidateID("canteen", t.CanteenID); err != nil {
		return err
	}
	if err := validateText("terminal name", t.Name, MaxNameLen); err != nil {
		return err
	}
	if n := len(t.SecretHash); n < MinSecretLen || n > MaxSecretLen {
		return invalid("terminal secret of %d bytes, want %d..%d", n, MinSecretLen, MaxSecretLen)
	}
	return ValidateTerminalStatus(t.Status)
}

// ValidateBarcode checks a dish barcode: 1..MaxBarcodeLen printable ASCII.
func ValidateBarcode(b string) error {
	if b == "" || len(b) > MaxBarcodeLen {
		return invalid("barcode of %d bytes, want 1..%d", len(b), MaxBarcodeLen)
	}
	for _, c := range []byte(b) {
		if c < ' ' || c > '~' {
			return invalid("barcode %q: want printable ASCII", b)
		}
	}
	return nil
}

// ValidateDish checks a dish.
func ValidateDish(d *Dish) error {
	if err := ValidateID("canteen", d.CanteenID); err != nil {
		return err
	}
	if err := ValidateBarcode(d.Barcode); err != nil {
		return err
	}
	if err := validateText("dish name", d.Name, MaxNameLen); err != nil {
		return err
	}
	if d.PriceFen <= 0 {
		return invalid("dish %s: price %d fen, want > 0", d.Barcode, d.PriceFen)
	}
	if d.Kcal < 0 || d.ProteinMg < 0 || d.FatMg < 0 || d.CarbMg < 0 {
		return invalid("dish %s: negative nutrient", d.Barcode)
	}
	if len(d.Allergens) > MaxAllergens {
		return invalid("dish %s: %d allergens, want ≤ %d", d.Barcode, len(d.Allergens), MaxAllergens)
	}
	for _, a := range d.Allergens {
		if err := validateText("allergen", a, MaxAllergenLen); err != nil {
			return err
		}
	}
	return nil
}

// ValidateMessage checks an outbox message (ID, CreatedAt, Attempts and
// SentAt are ignored).
func ValidateMessage(m *Message) error {
	switch m.Topic {
	case TopicArrears, TopicOTP, TopicReminder, TopicBinding:
	default:
		return invalid("outbox topic %q", m.Topic)
	}
	if m.Recipient == "" || len(m.Recipient) > MaxRecipientLen || !utf8.ValidString(m.Recipient) {
		return invalid("recipient of %d bytes, want 1..%d bytes of UTF-8", len(m.Recipient), MaxRecipientLen)
	}
	if len(m.Payload) > MaxPayload || !json.Valid(m.Payload) {
		return invalid("payload must be JSON of at most %d bytes", MaxPayload)
	}
	return nil
}

// ValidateIDs checks the ids given to MarkSent: 1..MaxPage positive ids.
func ValidateIDs(ids []int64) error {
	if len(ids) == 0 || len(ids) > MaxPage {
		return invalid("%d ids, want 1..%d", len(ids), MaxPage)
	}
	for _, id := range ids {
		if id <= 0 {
			return invalid("outbox id %d", id)
		}
	}
	return nil
}

// ValidateOutcome checks the id and the reason (or detail) of MarkFailed and
// RecordDelivery; an empty reason is allowed only when emptyOK.
func ValidateOutcome(id int64, reason string, emptyOK bool) error {
	if id <= 0 {
		return invalid("outbox id %d", id)
	}
	if (reason == "" && !emptyOK) || len(reason) > MaxReasonLen || !utf8.ValidString(reason) {
		return invalid("reason of %d bytes, want 1..%d bytes of UTF-8", len(reason), MaxReasonLen)
	}
	return nil
}

// ValidatePupilPage checks the arguments of ListPupils (classID "" is the
// whole school).
func ValidatePupilPage(schoolID, classID, after string, limit int) error {
	if after != "" {
		if err := ValidateStudentNo(after); err != nil {
			return err
		}
	}
	var classErr error
	if classID != "" {
		classErr = ValidateID("class", classID)
	}
	return errors.Join(ValidateSchoolID(schoolID), classErr, ValidateLimit(limit))
}

// ValidateDishPage checks the arguments of ListDishes.
func ValidateDishPage(canteenID, after string, limit int) error {
	if after != "" {
		if err := ValidateBarcode(after); err != nil {
			return err
		}
	}
	return errors.Join(ValidateID("canteen", canteenID), ValidateLimit(limit))
}

// ValidateIDPage checks the arguments of ListClasses, ListCanteens and
// ListTerminals: parent is the school (kind "school") or canteen id, after
// empty or an id.
func ValidateIDPage(kind, parent, after string, limit int) error {
	var parentErr, afterErr error
	if kind == "school" {
		parentErr = ValidateSchoolID(parent)
	} else {
		parentErr = ValidateID(kind, parent)
	}
	if after != "" {
		afterErr = ValidateID("page token", after)
	}
	return errors.Join(parentErr, afterErr, ValidateLimit(limit))
}

// ValidateAccountIDs checks the arguments of PupilsByAccounts: a school id and
// up to MaxImport valid account ids.
func ValidateAccountIDs(schoolID string, ids []string) error {
	if err := ValidateSchoolID(schoolID); err != nil {
		return err
	}
	return ValidateAccountIDBatch(ids, MaxImport)
}

// ValidateAccountIDBatch checks the account ids of a batch read: at most
// limit (MaxPage for a page of the outbox, MaxImport for an item's pupils),
// each valid.
func ValidateAccountIDBatch(ids []string, limit int) error {
	if len(ids) > limit {
		return invalid("%d account ids, want at most %d", len(ids), limit)
	}
	for _, id := range ids {
		if err := ValidateAccountID(id); err != nil {
			return err
		}
	}
	return nil
}

// ValidateParentIDBatch checks the parent ids of a batch read
// (WeChatLinksOf): 1..MaxLinkBatch ids, each valid.
func ValidateParentIDBatch(ids []string) error {
	if len(ids) == 0 || len(ids) > MaxLinkBatch {
		return invalid("%d parent ids, want 1..%d", len(ids), MaxLinkBatch)
	}
	for _, id := range ids {
		if err := ValidateID("parent", id); err != nil {
			return err
		}
	}
	return nil
}
