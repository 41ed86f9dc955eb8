package failure

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/domain/card"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantKind reason.Kind
		wantCode reason.Code
	}{
		{"a reason passes through", reason.New(reason.KindNotFound, reason.SchoolNotFound, "school 1 not found"), reason.KindNotFound, reason.SchoolNotFound},
		{"deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), reason.KindDeadlineExceeded, reason.DeadlineExceeded},
		{"grain outcome unknown", actors.ErrOutcomeUnknown, reason.KindUnavailable, reason.OutcomeUnknown},
		{"store not found", directory.ErrNotFound, reason.KindNotFound, reason.NotFound},
		{"card expired", card.ErrExpired, reason.KindFailedPrecondition, reason.CardExpired},
		{"card tampered", card.ErrTampered, reason.KindInvalid, reason.InvalidCard},
		{"idempotency", account.ErrIdempotencyConflict, reason.KindAlreadyExists, reason.IdempotencyConflict},
		{"malformed command", account.ErrInvalidAmount, reason.KindInvalid, reason.InvalidAmount},
		{"decline", account.ErrCardLost, reason.KindFailedPrecondition, reason.CardLost},
		{"anything else", errors.New("disk on fire"), reason.KindInternal, reason.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Classify(tt.err)
			if got.Kind != tt.wantKind || got.Code != tt.wantCode {
				t.Errorf("Classify(%v) = %v %s, want %v %s", tt.err, got.Kind, got.Code, tt.wantKind, tt.wantCode)
			}
		})
	}
	if Classify(nil) != nil {
		t.Error("Classify(nil) != nil")
	}
	if got := Classify(errors.New("secret path /etc/x")).Msg; got != "internal error" {
		t.Errorf("internal message %q leaks the cause", got)
	}
}
