package guardian

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"strings"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/app/input"
	"github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/domain/binding"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
)

// BindRequest redeems a Find ticket with a proof: the school's bind code or the
// pupil's ID number (none needed when Find matched the ID number).
type BindRequest struct {
	Ticket, Relation string
	Code, IDNumber   string
}

// Errors of proofs.
var (
	errProofRequired = reason.New(reason.KindFailedPrecondition, reason.BindProofRequired,
		"the name and student number are not enough: give the bind code from the school's slip, or the child's ID number")
	errProofInvalid = reason.New(reason.KindFailedPrecondition, reason.BindProofInvalid,
		"the bind code or ID number does not match this child (a code works once, until it expires or is replaced): check it, or ask the school for a new code")
	errTwoProofs = reason.New(reason.KindInvalid, reason.BindProofInvalid, "give the bind code or the ID number, not both")
	errCodeShape = reason.Newf(reason.KindInvalid, reason.BindProofInvalid,
		"bind_code: want the %d letters and digits printed on the school's slip", binding.CodeLen)
)

// proof is a checked proof of a Bind.
type proof struct {
	kind     binding.Proof
	codeHash []byte // ProofCode
	idHash   []byte // ProofIDNumber given now (nil when Find matched it)
}

// Bind binds the pupil of a Find ticket to parentID, once. Binding an already bound
// child changes nothing and needs no proof. A wrong proof keeps the ticket; every proof
// given counts against limits per pupil and per parent. The directory bounds the
// children of a parent and the guardians of a child; the other guardians are told.
func (s *Service) Bind(ctx context.Context, parentID string, req BindRequest) (Child, error) {
	relation := strings.TrimSpace(req.Relation)
	if relation == "" {
		relation = DefaultRelation
	}
	if err := input.CheckText("relation", relation, directory.MaxRelationLen); err != nil {
		return Child{}, err
	}
	t, stored, err := s.loadTicket(ctx, parentID, req.Ticket)
	if err != nil {
		return Child{}, err
	}
	if ok, err := s.c.Directory.IsGuardian(ctx, parentID, t.Account); err != nil || ok {
		if err == nil {
			err = s.useTicket(ctx, req.Ticket)
		}
		if err != nil {
			return Child{}, err
		}
		return s.Child(ctx, parentID, t.Account)
	}
	pupil, err := s.c.Directory.PupilByAccount(ctx, t.Account)
	if err != nil {
		return Child{}, err
	}
	p, err := s.checkProof(ctx, parentID, pupil, t, req)
	if err != nil {
		return Child{}, err
	}
	if err := s.useTicket(ctx, req.Ticket); err != nil {
		return Child{}, err
	}
	if restore, err := s.bind(ctx, directory.Guardianship{ParentID: parentID, AccountID: t.Account, Relation: relation}, pupil, p); err != nil {
		if restore {
			s.restoreTicket(ctx, req.Ticket, t, stored)
		}
		return Child{}, err
	}
	return s.child(ctx, pupil)
}

// bind writes the binding with the code it uses and the notice to the others. On a
// failure, restore says whether the ticket should be given back (not when a bound
// was hit).
func (s *Service) bind(ctx context.Context, g directory.Guardianship, pupil directory.Pupil, p proof) (restore bool, err error) {
	par, err := s.c.Directory.ParentByID(ctx, g.ParentID)
	if err != nil {
		return true, err
	}
	n := binding.NewNotice(binding.EventBound, actors.MaskName(pupil.Name), binding.MaskStudentNo(pupil.StudentNo),
		par.PhoneMasked, g.Relation, s.c.Now())
	opts := directory.BindOptions{CodeHash: p.codeHash, Now: s.c.Now()}
	if s.c.Notices == nil {
		opts.Notice = &directory.Message{Topic: directory.TopicBinding, Payload: n.Payload()}
	}
	created, err := s.c.Directory.BindGuardian(ctx, g, opts)
	switch {
	case errors.Is(err, directory.ErrNoBindCode):
		return true, errProofInvalid
	case errors.Is(err, directory.ErrConflict):
		return false, s.bindLimit(ctx, g.ParentID)
	case err != nil:
		return true, err
	}
	s.c.Logger.Info("child bound", slog.String("parent", g.ParentID), slog.String("account", g.AccountID),
		slog.String("proof", p.kind.String()), slog.Bool("created", created))
	if created {
		s.tellGuardians(ctx, pupil, g.ParentID, n, notify.GuardianChange{Bound: true, Relation: g.Relation})
	}
	return false, nil
}

// checkProof checks the request's proof against the pupil; a proof given now is
// counted against the limits first.
func (s *Service) checkProof(ctx context.Context, parentID string, pupil directory.Pupil, t ticket, req BindRequest) (proof, error) {
	kind, err := binding.ChooseProof(req.Code, req.IDNumber, t.IDMatched)
	switch {
	case errors.Is(err, binding.ErrProofRequired):
		return proof{}, errProofRequired
	case err != nil:
		return proof{}, errTwoProofs
	}
	p := proof{kind: kind}
	switch {
	case req.Code != "":
		code, err := binding.NormalizeCode(req.Code)
		if err != nil {
			return proof{}, errCodeShape
		}
		p.codeHash = binding.HashCode(s.c.CodeKey, pupil.AccountID, code)
	case req.IDNumber != "":
		if p.idHash, err = s.hashIDNumber(req.IDNumber); err != nil {
			return proof{}, err
		}
	default:
		return p, nil // the ID number matched at Find, counted there
	}
	if err := s.checkRate(ctx, proofPupilKey(pupil.AccountID), s.c.ProofPerPupil); err != nil {
		return proof{}, err
	}
	if err := s.checkRate(ctx, proofParentKey(parentID), s.c.ProofPerParent); err != nil {
		return proof{}, err
	}
	if p.idHash != nil && subtle.ConstantTimeCompare(pupil.IDNumberHash, p.idHash) != 1 {
		return proof{}, errProofInvalid
	}
	return p, nil
}

// bindLimit says which bound a refused binding hit.
func (s *Service) bindLimit(ctx context.Context, parentID string) error {
	kids, err := s.c.Directory.ChildrenOf(ctx, parentID)
	if err == nil && len(kids) >= directory.MaxChildren {
		return reason.Newf(reason.KindFailedPrecondition, reason.TooManyChildren, "a parent may bind at most %d children", directory.MaxChildren)
	}
	return reason.Newf(reason.KindFailedPrecondition, reason.TooManyGuardians,
		"this child already has %d guardians: ask the school", directory.MaxGuardians)
}
