package notify

import (
	"context"
	"errors"
	"fmt"

	"github.com/onecode/onecode/persistence/directory"
)

// KindStaffRefundFailed tells a school's finance staff, by e-mail, that a refund
// was failed or closed by the payment provider (recipient: a staff id).
const KindStaffRefundFailed Kind = "staff_refund_failed"

func init() {
	kindTexts[KindStaffRefundFailed] = "【一码通】退费单{refund}（{amount}元）被支付渠道拒绝或关闭，未能退回，预留款已释放。请在管理后台核对后重新发起。"
}

// ToStaff reports whether the recipient of a kind is a staff id (reached by
// e-mail; guardians' preferences do not apply).
func (k Kind) ToStaff() bool { return k == KindStaffRefundFailed }

// Staff is what the staff notices read of the directory (directory.Store).
type Staff interface {
	StaffByID(ctx context.Context, id string) (directory.StaffUser, error)
	ListStaff(ctx context.Context, schoolID, after string, limit int) ([]directory.StaffUser, error)
}

// financeWithEmail lists the active finance staff of a school who keep an e-mail.
func financeWithEmail(ctx context.Context, st Staff, schoolID string) ([]directory.StaffUser, error) {
	var out []directory.StaffUser
	after := ""
	for {
		page, err := st.ListStaff(ctx, schoolID, after, directory.MaxPage)
		if err != nil {
			return nil, fmt.Errorf("notify: staff of the school: %w", err)
		}
		for _, u := range page {
			if u.Role == directory.RoleFinance && u.Status == directory.StaffActive && u.Email != "" {
				out = append(out, u)
			}
		}
		if len(page) < directory.MaxPage {
			return out, nil
		}
		after = page[len(page)-1].Username // ListStaff pages by username
	}
}

// StaffBook is the ContactBook of staff notices: the e-mail of the staff member
// the notice names, while they are active finance staff with one.
type StaffBook struct{ Directory Staff }

// Contacts implements ContactBook.
func (b StaffBook) Contacts(ctx context.Context, m Message) ([]Contact, error) {
	u, err := b.Directory.StaffByID(ctx, m.Recipient)
	switch {
	case errors.Is(err, directory.ErrNotFound), errors.Is(err, directory.ErrInvalid):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("notify: staff of the message: %w", err)
	case u.Status != directory.StaffActive || u.Email == "" || u.Role != directory.RoleFinance:
		return nil, nil
	}
	return []Contact{{Email: u.Email}}, nil
}

// Books sends each notice to the book of its recipients: staff kinds to Staff,
// every other to Guardians.
type Books struct {
	Guardians ContactBook
	Staff     ContactBook
}

// Contacts implements ContactBook.
func (b Books) Contacts(ctx context.Context, m Message) ([]Contact, error) {
	if Kind(m.Topic).ToStaff() {
		if b.Staff == nil {
			return nil, nil
		}
		return b.Staff.Contacts(ctx, m)
	}
	return b.Guardians.Contacts(ctx, m)
}
