package access

import (
	"encoding/json"
	"fmt"
	"time"
)

// storedSession is a Principal as the cache keeps it. The format is the one
// sessions were written in before this package existed (the role is the number of
// the public API's StaffRole), so that open sessions live through an upgrade.
type storedSession struct {
	Kind        Kind      `json:"kind"`
	SubjectID   string    `json:"sub,omitempty"`
	SchoolID    string    `json:"school,omitempty"`
	Role        int32     `json:"role,omitempty"`
	ClassID     string    `json:"class,omitempty"`
	MaskedPhone string    `json:"phone,omitempty"`
	ExpiresAt   time.Time `json:"exp"`
	IssuedAt    time.Time `json:"iat,omitzero"`
}

// storedRoles are the numbers of the roles in storedSession (0 is no role).
var storedRoles = map[Role]int32{RoleSchoolAdmin: 1, RoleFinance: 2, RoleCanteenManager: 3, RoleTeacher: 4}

func encodeSession(p Principal) ([]byte, error) {
	return json.Marshal(storedSession{Kind: p.Kind, SubjectID: p.SubjectID, SchoolID: p.SchoolID, Role: storedRoles[p.Role],
		ClassID: p.ClassID, MaskedPhone: p.MaskedPhone, ExpiresAt: p.ExpiresAt, IssuedAt: p.IssuedAt})
}

func decodeSession(v []byte) (Principal, error) {
	var s storedSession
	if err := json.Unmarshal(v, &s); err != nil {
		return Principal{}, fmt.Errorf("access: stored session: %w", err)
	}
	p := Principal{Kind: s.Kind, SubjectID: s.SubjectID, SchoolID: s.SchoolID, ClassID: s.ClassID,
		MaskedPhone: s.MaskedPhone, ExpiresAt: s.ExpiresAt, IssuedAt: s.IssuedAt}
	for r, n := range storedRoles {
		if n == s.Role {
			p.Role = r
		}
	}
	return p, nil
}
