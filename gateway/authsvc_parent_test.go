package gateway_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	policy "github.com/onecode/onecode/domain/access"

	"github.com/onecode/onecode/app/access"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/onecode/onecode/persistence/cache"
	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

func TestParentCodeFlow(t *testing.T) {
	caches(t, func(t *testing.T, open func(t *testing.T) cache.Cache) {
		e := newAuthEnv(t, open(t), access.AuthOptions{})
		code, body := e.rest(t, "POST", "/v1/auth/parent/code", "", map[string]any{"phone": "+86 138-1234-5678"})
		if code != http.StatusOK || body["retryAfterSeconds"] != float64(60) {
			t.Fatalf("request code: %d %v", code, body)
		}
		otp := e.code(t, phone)
		if len(otp) != 6 || strings.Trim(otp, "0123456789") != "" {
			t.Fatalf("code %q, want 6 digits", otp)
		}
		// Delivered through the outbox, to the phone hash, never the phone.
		msgs, err := e.dir.ClaimBatch(context.Background(), 10)
		if err != nil {
			t.Fatal(err)
		}
		ph := hex.EncodeToString(access.PhoneHash(testPhoneKey, phone))
		if len(msgs) != 1 || msgs[0].Topic != directory.TopicOTP || msgs[0].Recipient != ph {
			t.Fatalf("outbox: %+v", msgs)
		}
		var payload map[string]any
		if err := json.Unmarshal(msgs[0].Payload, &payload); err != nil || payload["code"] != otp || payload["masked_phone"] != "138****5678" ||
			strings.Contains(string(msgs[0].Payload), phone) {
			t.Errorf("payload %s", msgs[0].Payload)
		}

		// Another code at once: 1 per 60 s per phone.
		code, body = e.rest(t, "POST", "/v1/auth/parent/code", "", map[string]any{"phone": phone})
		if code != http.StatusTooManyRequests || restReason(body) != "RATE_LIMITED" {
			t.Errorf("second code at once: %d %v", code, body)
		}
		if code, body := e.rest(t, "POST", "/v1/auth/parent/code", "", map[string]any{"phone": "12345"}); code != http.StatusBadRequest || restReason(body) != "INVALID_PHONE" {
			t.Errorf("bad phone: %d %v", code, body)
		}

		code, body = e.rest(t, "POST", "/v1/auth/parent/login", "", map[string]any{"phone": phone, "code": otp})
		if code != http.StatusOK {
			t.Fatalf("parent login: %d %v", code, body)
		}
		token, _ := body["token"].(string)
		parentID, _ := body["parentId"].(string)
		p, err := e.dir.ParentByPhoneHash(context.Background(), access.PhoneHash(testPhoneKey, phone))
		if err != nil || p.ID != parentID || p.PhoneMasked != "138****5678" {
			t.Errorf("parent created %+v (%v), want id %s", p, err, parentID)
		}
		// The phone is kept sealed under the seal key (notices reach the parent by SMS), never in clear.
		if got, err := policy.OpenPhone(testPhoneSealKey, p.PhoneSealed); err != nil || got != phone || strings.Contains(p.PhoneSealed, phone) {
			t.Errorf("sealed phone opens to %q (%v), want %s", got, err, phone)
		}
		if _, err := policy.OpenPhone(testPhoneKey, p.PhoneSealed); err == nil {
			t.Error("the sealed phone opens under the phone hash key")
		}
		who, err := e.auth.Whoami(bearer(token), &apiv1.WhoamiRequest{})
		if err != nil || who.GetKind() != "parent" || who.GetSubjectId() != parentID || who.GetMaskedPhone() != "138****5678" || who.GetSchoolId() != "" {
			t.Errorf("whoami: %v, %v", who, err)
		}
		// A code logs in once.
		code, body = e.rest(t, "POST", "/v1/auth/parent/login", "", map[string]any{"phone": phone, "code": otp})
		if code != http.StatusUnauthorized || restReason(body) != "INVALID_CODE" {
			t.Errorf("code used twice: %d %v", code, body)
		}
	})
}

func TestParentCodeBruteForce(t *testing.T) {
	caches(t, func(t *testing.T, open func(t *testing.T) cache.Cache) {
		e := newAuthEnv(t, open(t), access.AuthOptions{CodePerPhone: cache.PerMinute(100), CodePerPhoneDaily: cache.PerMinute(100), ParentLoginPerAddr: cache.PerMinute(100)})
		ctx := context.Background()
		request := func() string {
			t.Helper()
			if _, err := e.auth.RequestParentCode(ctx, &apiv1.RequestParentCodeRequest{Phone: phone}); err != nil {
				t.Fatal(err)
			}
			return e.code(t, phone)
		}
		wrong := func(code string) string { return fmt.Sprintf("%06d", (atoi(code)+1)%1_000_000) }
		login := func(code string) (*apiv1.ParentLoginResponse, error) {
			return e.auth.ParentLogin(ctx, &apiv1.ParentLoginRequest{Phone: phone, Code: code})
		}

		// Five wrong tries kill the code: the right one fails after.
		otp := request()
		for range 5 {
			_, err := login(wrong(otp))
			wantCode(t, err, codes.Unauthenticated, "INVALID_CODE")
		}
		_, err := login(otp)
		wantCode(t, err, codes.Unauthenticated, "INVALID_CODE")

		// A new code works; four wrong tries then the right one still works.
		first, err := login(request())
		if err != nil {
			t.Fatal(err)
		}
		otp = request()
		for range 4 {
			_, err := login(wrong(otp))
			wantCode(t, err, codes.Unauthenticated, "INVALID_CODE")
		}
		second, err := login(otp)
		if err != nil {
			t.Fatalf("right code on the 5th try: %v", err)
		}
		if second.GetParentId() != first.GetParentId() || second.GetToken() == first.GetToken() {
			t.Errorf("second login: parent %s token reused %v, want parent %s and a new token",
				second.GetParentId(), second.GetToken() == first.GetToken(), first.GetParentId())
		}

		// Concurrent logins with the right code: exactly one wins, however
		// many more than MaxCodeTries arrive at once.
		otp = request()
		var mu sync.Mutex
		won := 0
		var wg sync.WaitGroup
		for range 32 {
			wg.Go(func() {
				if _, err := login(otp); err == nil {
					mu.Lock()
					won++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if won != 1 {
			t.Errorf("%d concurrent logins with one code won, want 1", won)
		}
		// Concurrent wrong guesses: at most 5 are checked, so a 6th cannot
		// be the right one even when it is.
		otp = request()
		for range 12 {
			wg.Go(func() { _, _ = login(wrong(otp)) })
		}
		wg.Wait()
		_, err = login(otp)
		wantCode(t, err, codes.Unauthenticated, "INVALID_CODE")
	})
}

func atoi(s string) int {
	n := 0
	fmt.Sscan(s, &n)
	return n
}

func TestSessionGuardsAndLogout(t *testing.T) {
	caches(t, func(t *testing.T, open func(t *testing.T) cache.Cache) {
		e := newAuthEnv(t, open(t), access.AuthOptions{})
		e.seedStaff(t)
		staffToken := e.staffLogin(t, "admin")
		parentToken := e.parentLogin(t, phone).GetToken()
		ctx := context.Background()

		_, err := e.staff.ListPupils(bearer(parentToken), &apiv1.ListPupilsRequest{})
		wantCode(t, err, codes.PermissionDenied, "STAFF_ONLY")
		_, err = e.parent.ListChildren(bearer(staffToken), &apiv1.ListChildrenRequest{})
		wantCode(t, err, codes.PermissionDenied, "PARENT_ONLY")
		for name, c := range map[string]context.Context{
			"no token":      ctx,
			"garbage token": bearer("not-a-token"),
			"unknown token": bearer(strings.Repeat("A", 43)),
			"basic auth":    metadata.AppendToOutgoingContext(ctx, "authorization", "Basic "+staffToken),
		} {
			_, err = e.staff.ListPupils(c, &apiv1.ListPupilsRequest{})
			if status.Code(err) != codes.Unauthenticated {
				t.Errorf("%s on StaffService: %v, want Unauthenticated", name, err)
			}
		}
		_, err = e.auth.Whoami(ctx, &apiv1.WhoamiRequest{})
		wantCode(t, err, codes.Unauthenticated, "UNAUTHENTICATED")
		// The right kind passes the interceptor and reaches the (stub) service.
		_, err = e.staff.ListPupils(bearer(staffToken), &apiv1.ListPupilsRequest{})
		wantCode(t, err, codes.Unimplemented, "")
		_, err = e.parent.ListChildren(bearer(parentToken), &apiv1.ListChildrenRequest{})
		wantCode(t, err, codes.Unimplemented, "")
		// REST: the same answers.
		if code, body := e.rest(t, "GET", "/v1/parent/children", "", nil); code != http.StatusUnauthorized || restReason(body) != "UNAUTHENTICATED" {
			t.Errorf("REST without token: %d %v", code, body)
		}
		if code, body := e.rest(t, "GET", "/v1/parent/children", staffToken, nil); code != http.StatusForbidden || restReason(body) != "PARENT_ONLY" {
			t.Errorf("REST staff token on parent API: %d %v", code, body)
		}

		// Logout ends only the caller's session.
		otherStaff := e.staffLogin(t, "li.teacher")
		if code, body := e.rest(t, "POST", "/v1/auth/logout", staffToken, map[string]any{}); code != http.StatusOK {
			t.Fatalf("REST logout: %d %v", code, body)
		}
		_, err = e.auth.Whoami(bearer(staffToken), &apiv1.WhoamiRequest{})
		wantCode(t, err, codes.Unauthenticated, "UNAUTHENTICATED")
		_, err = e.staff.ListPupils(bearer(staffToken), &apiv1.ListPupilsRequest{})
		wantCode(t, err, codes.Unauthenticated, "UNAUTHENTICATED")
		if _, err := e.auth.Whoami(bearer(otherStaff), &apiv1.WhoamiRequest{}); err != nil {
			t.Errorf("another session ended too: %v", err)
		}
		if _, err := e.auth.Logout(bearer(parentToken), &apiv1.LogoutRequest{}); err != nil {
			t.Fatal(err)
		}
		_, err = e.parent.ListChildren(bearer(parentToken), &apiv1.ListChildrenRequest{})
		wantCode(t, err, codes.Unauthenticated, "UNAUTHENTICATED")
		_, err = e.auth.Logout(bearer(parentToken), &apiv1.LogoutRequest{})
		wantCode(t, err, codes.Unauthenticated, "UNAUTHENTICATED")
	})
}
