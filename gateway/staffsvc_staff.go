package gateway

import (
	"context"
	"log/slog"

	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// rolesStaffAdmin manage the school's staff accounts: school admins only.
var rolesStaffAdmin = []apiv1.StaffRole{apiv1.StaffRole_STAFF_ROLE_SCHOOL_ADMIN}

// PutSchoolStaff implements apiv1.StaffServiceServer: creates or updates a
// staff account of the caller's school by the rules of
// AdminService.PutStaffUser (staffAccounts.put). The school is always the
// caller's, so a username that exists in another school names a new account
// of this one and the other is not touched; a class of another school answers
// as an unknown one (ErrNotReachable). A caller cannot change their own role
// or disable themselves (FailedPrecondition SELF_LOCKOUT). School admins only.
func (s *StaffService) PutSchoolStaff(ctx context.Context, req *apiv1.PutSchoolStaffRequest) (*apiv1.PutSchoolStaffResponse, error) {
	p, err := RequireStaff(ctx, rolesStaffAdmin...)
	if err != nil {
		return nil, err
	}
	in, err := checkStaffPut(p.SchoolID, req.GetUsername(), req.GetRole(), req.GetClassId(), req.GetPassword(), req.GetEnabled())
	if err != nil {
		return nil, err
	}
	u, err := staffAccounts{d: s.d}.put(ctx, in, p.SubjectID, ErrNotReachable, slog.String("by", p.SubjectID))
	if err != nil {
		return nil, err
	}
	return &apiv1.PutSchoolStaffResponse{Staff: u}, nil
}
