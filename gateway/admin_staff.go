package gateway

import (
	"context"

	"github.com/onecode/onecode/app/access"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// PutStaffUser creates or updates a staff account of an existing school
// (access.StaffAccounts.PutByOperator); the operator creates each school's
// first admin with it.
func (s *adminService) PutStaffUser(ctx context.Context, req *apiv1.PutStaffUserRequest) (*apiv1.PutStaffUserResponse, error) {
	in := staffPut(req.GetUsername(), req.GetRole(), req.GetClassId(), req.GetPassword(), req.GetEnabled())
	in.SchoolID = req.GetSchoolId()
	u, err := s.staff.PutByOperator(ctx, in)
	if err != nil {
		return nil, err
	}
	return &apiv1.PutStaffUserResponse{Staff: staffUserProto(u)}, nil
}

// staffPut is a staff write of the API (the school is the caller's business).
func staffPut(username string, role apiv1.StaffRole, classID, password string, enabled bool) access.StaffPut {
	return access.StaffPut{Username: username, Role: roleFromAPI(role), RoleName: role.String(), ClassID: classID,
		Password: password, Enabled: enabled}
}

// staffUserProto is an account as administrators see it: never its password
// hash.
func staffUserProto(u access.StaffAccount) *apiv1.StaffUser {
	return &apiv1.StaffUser{StaffId: u.ID, SchoolId: u.SchoolID, Username: u.Username, Role: roleToAPI(u.Role),
		ClassId: u.ClassID, Enabled: u.Enabled, Email: u.Email}
}
