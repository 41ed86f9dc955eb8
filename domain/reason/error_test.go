package reason

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorIsAndOf(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", New(KindFailedPrecondition, CardLost, "the card was reported lost"))
	if got := Of(err); got != CardLost {
		t.Errorf("Of = %q, want %q", got, CardLost)
	}
	if !errors.Is(err, Sentinel(KindFailedPrecondition, CardLost)) {
		t.Error("errors.Is(err, Sentinel(CARD_LOST)) = false, want true")
	}
	if errors.Is(err, Sentinel(KindFailedPrecondition, CardReplaced)) {
		t.Error("errors.Is(err, Sentinel(CARD_REPLACED)) = true, want false")
	}
	if got := Of(errors.New("boom")); got != Internal {
		t.Errorf("Of(plain) = %q, want %q", got, Internal)
	}
	if got := Of(nil); got != "" {
		t.Errorf("Of(nil) = %q, want empty", got)
	}
	cause := errors.New("disk on fire")
	w := Wrap(KindUnavailable, Unavailable, "retry", cause)
	if !errors.Is(w, cause) {
		t.Error("Wrap lost its cause")
	}
	if w.Error() != "retry" {
		t.Errorf("Error() = %q, want the message, not the cause", w.Error())
	}
}
