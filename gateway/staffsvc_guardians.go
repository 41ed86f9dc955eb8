package gateway

import (
	"context"

	"github.com/onecode/onecode/app/access"

	"github.com/onecode/onecode/app/guardian"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// staffGuardians is the caller (any staff role: the use case decides) and the
// guardian use cases.
func (s *StaffService) staffGuardians(ctx context.Context) (guardian.Staff, *guardian.Service, error) {
	p, err := access.RequireStaff(ctx)
	if err != nil {
		return guardian.Staff{}, nil, err
	}
	if s.guardiansErr != nil {
		return guardian.Staff{}, nil, s.guardiansErr
	}
	g := s.guardians
	return guardian.Staff{ID: p.SubjectID, SchoolID: p.SchoolID, Role: p.Role, ClassID: p.ClassID}, g, nil
}

// IssueBindCode implements apiv1.StaffServiceServer: a school admin or the
// pupil's teacher gets the pupil's one-time bind code, once, for a slip.
func (s *StaffService) IssueBindCode(ctx context.Context, req *apiv1.IssueBindCodeRequest) (*apiv1.IssueBindCodeResponse, error) {
	st, g, err := s.staffGuardians(ctx)
	if err != nil {
		return nil, err
	}
	c, err := g.IssueCode(ctx, st, req.GetAccountId())
	if err != nil {
		return nil, err
	}
	return &apiv1.IssueBindCodeResponse{BindCode: c.Code, ExpiresUnix: c.ExpiresAt.Unix()}, nil
}

// ListPupilGuardians implements apiv1.StaffServiceServer.
func (s *StaffService) ListPupilGuardians(ctx context.Context, req *apiv1.ListPupilGuardiansRequest) (*apiv1.ListPupilGuardiansResponse, error) {
	st, g, err := s.staffGuardians(ctx)
	if err != nil {
		return nil, err
	}
	gs, err := g.Guardians(ctx, st, req.GetAccountId())
	if err != nil {
		return nil, err
	}
	out := make([]*apiv1.Guardian, len(gs))
	for i, x := range gs {
		out[i] = &apiv1.Guardian{ParentId: x.ParentID, MaskedPhone: x.MaskedPhone, Relation: x.Relation, BoundUnix: x.BoundAt.Unix()}
	}
	return &apiv1.ListPupilGuardiansResponse{Guardians: out}, nil
}

// UnbindGuardian implements apiv1.StaffServiceServer: a school admin removes a
// parent's binding; the remaining guardians are told.
func (s *StaffService) UnbindGuardian(ctx context.Context, req *apiv1.UnbindGuardianRequest) (*apiv1.UnbindGuardianResponse, error) {
	st, g, err := s.staffGuardians(ctx)
	if err != nil {
		return nil, err
	}
	if err := g.UnbindByStaff(ctx, st, req.GetAccountId(), req.GetParentId()); err != nil {
		return nil, err
	}
	return &apiv1.UnbindGuardianResponse{}, nil
}
