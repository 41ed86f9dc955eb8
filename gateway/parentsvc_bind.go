package gateway

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/onecode/onecode/app/input"

	"google.golang.org/grpc/codes"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/persistence/cache"
	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// bindTicket is a FindChild ticket as the cache keeps it (under the hash of the
// ticket).
type bindTicket struct {
	Parent  string    `json:"parent"`
	Account string    `json:"account"`
	Expires time.Time `json:"exp"`
}

func bindTicketKey(ticket string) string {
	h := sha256.Sum256([]byte(ticket))
	return "bind:ticket:" + hex.EncodeToString(h[:])
}

// FindChild implements apiv1.ParentServiceServer. The pupil must match the
// school, the exact name and the student number; an ID number, when given, must
// match too. (The directory is keyed by student number: a pupil cannot be found
// by ID number alone.) Rate limited per parent and per client address.
func (s *ParentService) FindChild(ctx context.Context, req *apiv1.FindChildRequest) (*apiv1.FindChildResponse, error) {
	p, err := RequireParent(ctx)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSpace(req.GetName())
	switch {
	case directory.ValidateSchoolID(req.GetSchoolId()) != nil:
		return nil, invalidArg("school_id: want 5 digits")
	case input.CheckText("name", name, directory.MaxNameLen) != nil:
		return nil, invalidArg("name: want 1..%d characters", directory.MaxNameLen)
	case req.GetStudentNo() == "":
		return nil, Status(codes.InvalidArgument, "STUDENT_NO_REQUIRED", "give the student number (学号), and the ID number if you like")
	case directory.ValidateStudentNo(req.GetStudentNo()) != nil:
		return nil, invalidArg("student_no: want 10 digits")
	}
	var idHash []byte
	if req.GetIdNumber() != "" {
		if idHash, err = HashIDNumber(s.d.IDHashKey, req.GetIdNumber()); err != nil {
			return nil, Status(codes.InvalidArgument, "INVALID_ID_NUMBER", "id_number: "+err.Error())
		}
	}
	if err := CheckRate(ctx, s.d.Cache, "rl:find-child:addr:"+ClientAddr(ctx), s.PerAddr); err != nil {
		return nil, err
	}
	if err := CheckRate(ctx, s.d.Cache, "rl:find-child:parent:"+p.SubjectID, s.PerParent); err != nil {
		return nil, err
	}
	pupil, err := s.d.Directory.PupilByStudentNo(ctx, req.GetSchoolId(), req.GetStudentNo())
	if errors.Is(err, directory.ErrNotFound) {
		return nil, errChildNotFound
	}
	if err != nil {
		return nil, ErrorStatus(err)
	}
	nameOK := subtle.ConstantTimeCompare([]byte(pupil.Name), []byte(name)) == 1
	idOK := idHash == nil || subtle.ConstantTimeCompare(pupil.IDNumberHash, idHash) == 1
	if !nameOK || !idOK || pupil.Status != directory.PupilActive {
		return nil, errChildNotFound
	}
	names, err := lookupNames(ctx, s.d.Directory, pupil)
	if err != nil {
		return nil, err
	}
	ticket, err := s.newTicket(ctx, p.SubjectID, pupil.AccountID)
	if err != nil {
		return nil, err
	}
	return &apiv1.FindChildResponse{MaskedName: actors.MaskName(pupil.Name), MaskedStudentNo: MaskStudentNo(pupil.StudentNo),
		ClassName: names.class, SchoolName: names.school, BindTicket: ticket}, nil
}

func (s *ParentService) newTicket(ctx context.Context, parentID, accountID string) (string, error) {
	b := make([]byte, bindTicketBytes)
	if _, err := io.ReadFull(s.d.Rand, b); err != nil {
		return "", ErrorStatus(fmt.Errorf("bind ticket: %w", err))
	}
	ticket := base64.RawURLEncoding.EncodeToString(b)
	v, err := json.Marshal(bindTicket{Parent: parentID, Account: accountID, Expires: s.d.Now().Add(BindTicketTTL)})
	if err != nil {
		return "", ErrorStatus(err)
	}
	if err := s.d.Cache.Set(ctx, bindTicketKey(ticket), v, BindTicketTTL); err != nil {
		return "", ErrorStatus(err)
	}
	return ticket, nil
}

// MaskStudentNo shows a student number as 2024****01.
func MaskStudentNo(no string) string {
	if len(no) < 7 {
		return strings.Repeat("*", len(no))
	}
	return no[:4] + strings.Repeat("*", len(no)-6) + no[len(no)-2:]
}

// BindChild implements apiv1.ParentServiceServer: the ticket of FindChild is
// redeemed once, by the parent it was given to; binding an already bound child
// changes nothing. The directory bounds the children of a parent
// (directory.MaxChildren) and the guardians of a child (directory.MaxGuardians).
func (s *ParentService) BindChild(ctx context.Context, req *apiv1.BindChildRequest) (*apiv1.BindChildResponse, error) {
	p, err := RequireParent(ctx)
	if err != nil {
		return nil, err
	}
	relation := strings.TrimSpace(req.GetRelation())
	if relation == "" {
		relation = DefaultRelation
	}
	if err := input.CheckText("relation", relation, directory.MaxRelationLen); err != nil {
		return nil, err
	}
	ticket := req.GetBindTicket()
	if len(ticket) != base64.RawURLEncoding.EncodedLen(bindTicketBytes) || !wellFormedB64(ticket) {
		return nil, errBindTicket
	}
	key := bindTicketKey(ticket)
	v, err := s.d.Cache.Get(ctx, key)
	if errors.Is(err, cache.ErrNotFound) {
		return nil, errBindTicket
	}
	if err != nil {
		return nil, ErrorStatus(err)
	}
	var t bindTicket
	if err := json.Unmarshal(v, &t); err != nil {
		return nil, ErrorStatus(fmt.Errorf("stored bind ticket: %w", err))
	}
	if t.Parent != p.SubjectID || !s.d.Now().Before(t.Expires) {
		return nil, errBindTicket // another parent's ticket stays usable by its owner
	}
	if consumed, err := s.d.Cache.Delete(ctx, key); err != nil {
		return nil, ErrorStatus(err)
	} else if !consumed {
		return nil, errBindTicket // a concurrent BindChild redeemed it
	}
	err = s.d.Directory.Bind(ctx, directory.Guardianship{ParentID: p.SubjectID, AccountID: t.Account, Relation: relation})
	if err != nil {
		if errors.Is(err, directory.ErrConflict) {
			return nil, s.bindLimit(ctx, p.SubjectID)
		}
		// Not bound: give the ticket back for the rest of its life, so that a retry works.
		if ttl := t.Expires.Sub(s.d.Now()); ttl >= time.Millisecond {
			_ = s.d.Cache.Set(context.WithoutCancel(ctx), key, v, ttl)
		}
		return nil, ErrorStatus(err)
	}
	pupil, err := s.d.Directory.PupilByAccount(ctx, t.Account)
	if err != nil {
		return nil, ErrorStatus(err)
	}
	c, err := s.child(ctx, pupil)
	if err != nil {
		return nil, err
	}
	s.d.Logger.Info("child bound", slog.String("parent", p.SubjectID), slog.String("account", t.Account))
	return &apiv1.BindChildResponse{Child: c}, nil
}

func wellFormedB64(s string) bool {
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

// bindLimit says which bound a refused binding hit.
func (s *ParentService) bindLimit(ctx context.Context, parentID string) error {
	kids, err := s.d.Directory.ChildrenOf(ctx, parentID)
	if err == nil && len(kids) >= directory.MaxChildren {
		return Status(codes.FailedPrecondition, "TOO_MANY_CHILDREN",
			fmt.Sprintf("a parent may bind at most %d children", directory.MaxChildren))
	}
	return Status(codes.FailedPrecondition, "TOO_MANY_GUARDIANS",
		fmt.Sprintf("this child already has %d guardians: ask the school", directory.MaxGuardians))
}
