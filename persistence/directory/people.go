package directory

import (
	"net/mail"
	"time"
)

// Bounds of the people of the directory.
const (
	MaxChildren       = 20  // children bound to one parent
	MaxGuardians      = 10  // parents bound to one child
	MaxPasswordHash   = 256 // bytes in StaffUser.PasswordHash
	MaxRelationLen    = 16  // characters in Guardianship.Relation
	PhoneHashLen      = 32  // bytes in Parent.PhoneHash (HMAC-SHA-256)
	MaxPhoneSealed    = 128 // bytes in Parent.PhoneSealed (nonce, phone and tag in base64url)
	maskedPhonePrefix = 3   // digits shown before the stars
)

// StaffRole is what a staff member may do, always within one school.
type StaffRole string

// Staff roles (as StaffRole of the public API).
const (
	RoleSchoolAdmin    StaffRole = "school_admin"
	RoleFinance        StaffRole = "finance"
	RoleCanteenManager StaffRole = "canteen_manager"
	RoleTeacher        StaffRole = "teacher"
)

// StaffStatus is whether a staff member may log in.
type StaffStatus string

// Staff statuses.
const (
	StaffActive   StaffStatus = "active"
	StaffDisabled StaffStatus = "disabled"
)

// StaffUser is a school staff member who logs in to the PC console.
type StaffUser struct {
	ID           string // like other ids: 1..MaxIDLen of [A-Za-z0-9_.-]; never changes
	SchoolID     string // never changes
	Username     string // unique within the school; id charset
	PasswordHash string // PHC string, e.g. "$argon2id$v=19$m=…"; never the password
	Role         StaffRole
	ClassID      string // the teacher's class (of the same school); empty for other roles
	Status       StaffStatus
	CreatedAt    time.Time // set by the Store on the first PutStaff (microseconds)
	// Email (optional, a bare address of at most MaxEmail bytes) is where notices
	// to staff are e-mailed (a failed refund to finance staff); never logged.
	Email string
}

// MaxEmail bounds StaffUser.Email (RFC 5321's path limit).
const MaxEmail = 254

// Parent is a parent who logs in on the phone page with a one-time code.
type Parent struct {
	ID          string // id charset; never changes
	PhoneHash   []byte // keyed hash of the normalised phone (PhoneHashLen bytes), never the phone
	PhoneMasked string // "138****5678"
	// PhoneSealed is the phone sealed for the notices sent to this parent
	// (AES-256-GCM under the phone seal key of the keys directory,
	// domain/access.SealPhone; base64url, at most MaxPhoneSealed bytes). Empty for a
	// parent created before it was kept, until their next login. A PutParent with
	// a non-empty one replaces the stored one; an empty one keeps it.
	PhoneSealed string
	CreatedAt   time.Time // set by the Store when the parent is created (microseconds)
}

// Guardianship binds a parent to a pupil's account.
type Guardianship struct {
	ParentID  string
	AccountID string
	Relation  string    // e.g. "mother", "father", "guardian"; 1..MaxRelationLen characters
	CreatedAt time.Time // set by the Store on the first Bind (microseconds)
}

// ValidateStaffRole checks a role.
func ValidateStaffRole(r StaffRole) error {
	switch r {
	case RoleSchoolAdmin, RoleFinance, RoleCanteenManager, RoleTeacher:
		return nil
	}
	return invalid("staff role %q", r)
}

// ValidateStaff checks a staff member (CreatedAt is ignored).
func ValidateStaff(u *StaffUser) error {
	if err := ValidateID("staff", u.ID); err != nil {
		return err
	}
	if err := ValidateSchoolID(u.SchoolID); err != nil {
		return err
	}
	if err := ValidateID("username", u.Username); err != nil {
		return err
	}
	if err := validatePasswordHash(u.PasswordHash); err != nil {
		return err
	}
	if err := ValidateStaffRole(u.Role); err != nil {
		return err
	}
	if u.Role == RoleTeacher {
		if err := ValidateID("class", u.ClassID); err != nil {
			return err
		}
	} else if u.ClassID != "" {
		return invalid("staff %s: only teachers have a class", u.ID)
	}
	if u.Status != StaffActive && u.Status != StaffDisabled {
		return invalid("staff status %q", u.Status)
	}
	return ValidateEmail(u.Email)
}

// ValidateEmail checks a staff member's e-mail address: empty, or a bare address
// ("cw@school.cn", no display name) of at most MaxEmail bytes.
func ValidateEmail(e string) error {
	if e == "" {
		return nil
	}
	a, err := mail.ParseAddress(e)
	if len(e) > MaxEmail || err != nil || a.Address != e || a.Name != "" {
		return invalid("staff e-mail: want a bare address of at most %d bytes", MaxEmail)
	}
	return nil
}

// validatePasswordHash checks the shape of a PHC string: "$" then
// printable ASCII, at most MaxPasswordHash bytes.
func validatePasswordHash(h string) error {
	if len(h) < 2 || len(h) > MaxPasswordHash || h[0] != '$' {
		return invalid("password hash: want a PHC string of 2..%d bytes", MaxPasswordHash)
	}
	for _, c := range []byte(h) {
		if c <= ' ' || c > '~' {
			return invalid("password hash: want printable ASCII")
		}
	}
	return nil
}

// ValidatePhoneHash checks a phone hash.
func ValidatePhoneHash(h []byte) error {
	if len(h) != PhoneHashLen {
		return invalid("phone hash of %d bytes, want %d", len(h), PhoneHashLen)
	}
	return nil
}

// ValidateMaskedPhone checks a masked phone: 3 digits, 4 stars, 4 digits.
func ValidateMaskedPhone(m string) error {
	if len(m) != 11 || !digits(m[:maskedPhonePrefix], maskedPhonePrefix) || m[3:7] != "****" || !digits(m[7:], 4) {
		return invalid("masked phone %q, want like 138****5678", m)
	}
	return nil
}

// ValidateParent checks a parent (CreatedAt is ignored).
func ValidateParent(p *Parent) error {
	if err := ValidateID("parent", p.ID); err != nil {
		return err
	}
	if err := ValidatePhoneHash(p.PhoneHash); err != nil {
		return err
	}
	if err := validatePhoneSealed(p.PhoneSealed); err != nil {
		return err
	}
	return ValidateMaskedPhone(p.PhoneMasked)
}

// validatePhoneSealed checks the shape of a sealed phone: empty, or base64url
// without padding of at most MaxPhoneSealed bytes (never a phone in clear: 11
// digits would pass the alphabet, so a sealed phone is longer than any phone).
func validatePhoneSealed(s string) error {
	if s == "" {
		return nil
	}
	if len(s) < 32 || len(s) > MaxPhoneSealed {
		return invalid("sealed phone of %d bytes, want 32..%d", len(s), MaxPhoneSealed)
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return invalid("sealed phone: want base64url without padding")
		}
	}
	return nil
}

// ValidateGuardianship checks a binding (CreatedAt is ignored).
func ValidateGuardianship(g *Guardianship) error {
	if err := ValidateID("parent", g.ParentID); err != nil {
		return err
	}
	if err := ValidateAccountID(g.AccountID); err != nil {
		return err
	}
	return validateText("relation", g.Relation, MaxRelationLen)
}
