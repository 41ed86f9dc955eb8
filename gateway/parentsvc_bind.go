package gateway

import (
	"context"

	"github.com/onecode/onecode/app/access"

	"github.com/onecode/onecode/app/guardian"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// FindChild implements apiv1.ParentServiceServer (guardian.Service.Find): the
// pupil must match the school, the exact name and the student number; an ID
// number, when given, must match too. Rate limited per parent and per client
// address.
func (s *ParentService) FindChild(ctx context.Context, req *apiv1.FindChildRequest) (*apiv1.FindChildResponse, error) {
	p, err := access.RequireParent(ctx)
	if err != nil {
		return nil, err
	}
	f, err := s.g.Find(ctx, p.SubjectID, guardian.FindQuery{SchoolID: req.GetSchoolId(), Name: req.GetName(),
		StudentNo: req.GetStudentNo(), IDNumber: req.GetIdNumber(), ClientAddr: ClientAddr(ctx)})
	if err != nil {
		return nil, err
	}
	return &apiv1.FindChildResponse{MaskedName: f.MaskedName, MaskedStudentNo: f.MaskedStudentNo,
		ClassName: f.ClassName, SchoolName: f.SchoolName, BindTicket: f.Ticket}, nil
}

// BindChild implements apiv1.ParentServiceServer (guardian.Service.Bind): the
// ticket of FindChild is redeemed once, by the parent it was given to, with a
// bind code or the ID number; the other guardians are told.
func (s *ParentService) BindChild(ctx context.Context, req *apiv1.BindChildRequest) (*apiv1.BindChildResponse, error) {
	p, err := access.RequireParent(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.g.Bind(ctx, p.SubjectID, guardian.BindRequest{Ticket: req.GetBindTicket(), Relation: req.GetRelation(),
		Code: req.GetBindCode(), IDNumber: req.GetIdNumber()})
	if err != nil {
		return nil, err
	}
	return &apiv1.BindChildResponse{Child: childProto(c)}, nil
}

// UnbindChild implements apiv1.ParentServiceServer: the caller's binding goes;
// the other guardians are told.
func (s *ParentService) UnbindChild(ctx context.Context, req *apiv1.UnbindChildRequest) (*apiv1.UnbindChildResponse, error) {
	p, err := access.RequireParent(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.g.Unbind(ctx, p.SubjectID, req.GetAccountId()); err != nil {
		return nil, err
	}
	return &apiv1.UnbindChildResponse{}, nil
}
