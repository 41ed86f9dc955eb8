package gateway

import (
	"context"

	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// PutSchoolStaff implements apiv1.StaffServiceServer: creates or updates a
// staff account of the caller's school
// (access.StaffAccounts.PutBySchoolAdmin). School admins only.
func (s *StaffService) PutSchoolStaff(ctx context.Context, req *apiv1.PutSchoolStaffRequest) (*apiv1.PutSchoolStaffResponse, error) {
	in := staffPut(req.GetUsername(), req.GetRole(), req.GetClassId(), req.GetPassword(), req.GetEnabled())
	in.Email = req.GetEmail()
	u, err := s.staff.PutBySchoolAdmin(ctx, in)
	if err != nil {
		return nil, err
	}
	return &apiv1.PutSchoolStaffResponse{Staff: staffUserProto(u)}, nil
}
