package guardian

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
	"strings"
	"time"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/app/input"
	"github.com/onecode/onecode/domain/binding"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
)

// FindQuery identifies a pupil: the school, the exact name and the student number;
// an ID number, when given, must match too (and then proves the binding).
type FindQuery struct {
	SchoolID, Name, StudentNo, IDNumber string
	// ClientAddr is the caller's address, for the per-address limit.
	ClientAddr string
}

// Found is a pupil found by Find: masked details to confirm, and a ticket that Bind
// redeems once, for this parent only, within TicketTTL.
type Found struct {
	MaskedName, MaskedStudentNo, ClassName, SchoolName string
	Ticket                                             string
}

// ticket is a Find ticket as the cache keeps it (under the hash of the ticket).
type ticket struct {
	Parent  string    `json:"parent"`
	Account string    `json:"account"`
	Expires time.Time `json:"exp"`
	// IDMatched: the look-up was given the pupil's ID number, which proves the binding.
	IDMatched bool `json:"id,omitempty"`
}

func ticketKey(t string) string {
	h := sha256.Sum256([]byte(t))
	return "bind:ticket:" + hex.EncodeToString(h[:])
}

// Find looks a pupil up for parentID (the directory is keyed by student number: a
// pupil cannot be found by ID number alone). Every miss is the same answer. Rate
// limited per parent and per client address; an ID number counts against the
// pupil's proof limit too.
func (s *Service) Find(ctx context.Context, parentID string, q FindQuery) (Found, error) {
	idHash, err := s.checkFind(&q)
	if err != nil {
		return Found{}, err
	}
	if err := s.checkRate(ctx, "rl:find-child:addr:"+q.ClientAddr, s.c.FindPerAddr); err != nil {
		return Found{}, err
	}
	if err := s.checkRate(ctx, "rl:find-child:parent:"+parentID, s.c.FindPerParent); err != nil {
		return Found{}, err
	}
	pupil, err := s.c.Directory.PupilByStudentNo(ctx, q.SchoolID, q.StudentNo)
	if errors.Is(err, directory.ErrNotFound) {
		return Found{}, errChildNotFound
	}
	if err != nil {
		return Found{}, err
	}
	if subtle.ConstantTimeCompare([]byte(pupil.Name), []byte(q.Name)) != 1 || pupil.Status != directory.PupilActive {
		return Found{}, errChildNotFound
	}
	if idHash != nil {
		if err := s.checkRate(ctx, proofPupilKey(pupil.AccountID), s.c.ProofPerPupil); err != nil {
			return Found{}, err
		}
		if subtle.ConstantTimeCompare(pupil.IDNumberHash, idHash) != 1 {
			return Found{}, errChildNotFound
		}
	}
	names, err := lookupNames(ctx, s.c.Directory, pupil)
	if err != nil {
		return Found{}, err
	}
	t, err := s.newTicket(ctx, ticket{Parent: parentID, Account: pupil.AccountID, IDMatched: idHash != nil})
	if err != nil {
		return Found{}, err
	}
	return Found{MaskedName: actors.MaskName(pupil.Name), MaskedStudentNo: binding.MaskStudentNo(pupil.StudentNo),
		ClassName: names.class, SchoolName: names.school, Ticket: t}, nil
}

// checkFind checks a query (trimming its name) and hashes its ID number, if any.
func (s *Service) checkFind(q *FindQuery) ([]byte, error) {
	q.Name = strings.TrimSpace(q.Name)
	switch {
	case directory.ValidateSchoolID(q.SchoolID) != nil:
		return nil, reason.Invalid(reason.InvalidArgument, "school_id: want 5 digits")
	case input.CheckText("name", q.Name, directory.MaxNameLen) != nil:
		return nil, reason.Invalid(reason.InvalidArgument, "name: want 1..%d characters", directory.MaxNameLen)
	case q.StudentNo == "":
		return nil, reason.New(reason.KindInvalid, reason.StudentNoRequired, "give the student number (学号), and the ID number if you like")
	case directory.ValidateStudentNo(q.StudentNo) != nil:
		return nil, reason.Invalid(reason.InvalidArgument, "student_no: want 10 digits")
	case q.IDNumber == "":
		return nil, nil
	}
	return s.hashIDNumber(q.IDNumber)
}

func (s *Service) hashIDNumber(idNumber string) ([]byte, error) {
	h, err := s.c.HashIDNumber(idNumber)
	if err != nil {
		return nil, reason.New(reason.KindInvalid, reason.InvalidIDNumber, "id_number: "+err.Error())
	}
	return h, nil
}

func (s *Service) newTicket(ctx context.Context, t ticket) (string, error) {
	b := make([]byte, ticketBytes)
	if _, err := io.ReadFull(s.c.Rand, b); err != nil {
		return "", fmt.Errorf("bind ticket: %w", err)
	}
	text := base64.RawURLEncoding.EncodeToString(b)
	t.Expires = s.c.Now().Add(TicketTTL)
	v, err := json.Marshal(t)
	if err != nil {
		return "", err
	}
	if err := s.c.Cache.Set(ctx, ticketKey(text), v, TicketTTL); err != nil {
		return "", err
	}
	return text, nil
}

// loadTicket returns the parent's unexpired ticket and its stored form.
func (s *Service) loadTicket(ctx context.Context, parentID, text string) (ticket, []byte, error) {
	if len(text) != base64.RawURLEncoding.EncodedLen(ticketBytes) {
		return ticket{}, nil, errTicket
	}
	if _, err := base64.RawURLEncoding.DecodeString(text); err != nil {
		return ticket{}, nil, errTicket
	}
	v, err := s.c.Cache.Get(ctx, ticketKey(text))
	if err != nil {
		if errors.Is(err, errNotCached) {
			return ticket{}, nil, errTicket
		}
		return ticket{}, nil, err
	}
	var t ticket
	if err := json.Unmarshal(v, &t); err != nil {
		return ticket{}, nil, fmt.Errorf("stored bind ticket: %w", err)
	}
	if t.Parent != parentID || !s.c.Now().Before(t.Expires) {
		return ticket{}, nil, errTicket // another parent's ticket stays usable by its owner
	}
	return t, v, nil
}

// useTicket deletes the ticket; a ticket redeemed concurrently is errTicket.
func (s *Service) useTicket(ctx context.Context, text string) error {
	consumed, err := s.c.Cache.Delete(ctx, ticketKey(text))
	if err != nil {
		return err
	}
	if !consumed {
		return errTicket
	}
	return nil
}

// restoreTicket gives a used ticket back for the rest of its life, so that a retry
// works after a failure that bound nothing.
func (s *Service) restoreTicket(ctx context.Context, text string, t ticket, v []byte) {
	if ttl := t.Expires.Sub(s.c.Now()); ttl >= time.Millisecond {
		_ = s.c.Cache.Set(context.WithoutCancel(ctx), ticketKey(text), v, ttl)
	}
}
