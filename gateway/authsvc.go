package gateway

import (
	"context"
	"time"

	"github.com/onecode/onecode/app/access"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// AuthService implements apiv1.AuthServiceServer over the login use cases of
// app/access.
type AuthService struct {
	apiv1.UnimplementedAuthServiceServer
	auth *access.Auth
}

var _ apiv1.AuthServiceServer = (*AuthService)(nil)

// NewAuthService returns the AuthService. It needs deps.Directory,
// deps.Cache, deps.Sessions, deps.PhoneHashKey, deps.PhoneSealKey, deps.Now and deps.Rand.
func NewAuthService(deps Deps, opts access.AuthOptions) (*AuthService, error) {
	a, err := deps.Auth(opts)
	if err != nil {
		return nil, err
	}
	return &AuthService{auth: a}, nil
}

// StaffLogin implements apiv1.AuthServiceServer (access.Auth.StaffLogin).
func (a *AuthService) StaffLogin(ctx context.Context, req *apiv1.StaffLoginRequest) (*apiv1.StaffLoginResponse, error) {
	l, err := a.auth.StaffLogin(ctx, req.GetSchoolId(), req.GetUsername(), req.GetPassword(), ClientAddr(ctx))
	if err != nil {
		return nil, err
	}
	p := l.Principal
	return &apiv1.StaffLoginResponse{Token: l.Token, ExpiresUnix: l.ExpiresAt.Unix(), Role: roleToAPI(p.Role), SchoolId: p.SchoolID,
		ClassId: p.ClassID}, nil
}

// RequestParentCode implements apiv1.AuthServiceServer
// (access.Auth.RequestParentCode).
func (a *AuthService) RequestParentCode(ctx context.Context, req *apiv1.RequestParentCodeRequest) (*apiv1.RequestParentCodeResponse, error) {
	wait, err := a.auth.RequestParentCode(ctx, req.GetPhone(), ClientAddr(ctx))
	if err != nil {
		return nil, err
	}
	return &apiv1.RequestParentCodeResponse{RetryAfterSeconds: int32(wait / time.Second)}, nil
}

// ParentLogin implements apiv1.AuthServiceServer (access.Auth.ParentLogin).
func (a *AuthService) ParentLogin(ctx context.Context, req *apiv1.ParentLoginRequest) (*apiv1.ParentLoginResponse, error) {
	l, err := a.auth.ParentLogin(ctx, req.GetPhone(), req.GetCode(), ClientAddr(ctx))
	if err != nil {
		return nil, err
	}
	return &apiv1.ParentLoginResponse{Token: l.Token, ExpiresUnix: l.ExpiresAt.Unix(), ParentId: l.Principal.SubjectID}, nil
}

// Logout implements apiv1.AuthServiceServer: the caller's session ends.
func (a *AuthService) Logout(ctx context.Context, _ *apiv1.LogoutRequest) (*apiv1.LogoutResponse, error) {
	token, _ := ctx.Value(sessionTokenKey{}).(string)
	if err := a.auth.Logout(ctx, token); err != nil {
		return nil, err
	}
	return &apiv1.LogoutResponse{}, nil
}

// Whoami implements apiv1.AuthServiceServer.
func (a *AuthService) Whoami(ctx context.Context, _ *apiv1.WhoamiRequest) (*apiv1.WhoamiResponse, error) {
	p, err := access.Whoami(ctx)
	if err != nil {
		return nil, err
	}
	return &apiv1.WhoamiResponse{Kind: string(p.Kind), SubjectId: p.SubjectID, Role: roleToAPI(p.Role), SchoolId: p.SchoolID,
		ClassId: p.ClassID, MaskedPhone: p.MaskedPhone}, nil
}

// roleToAPI maps a role to the API's (unspecified for none).
func roleToAPI(r access.Role) apiv1.StaffRole {
	switch r {
	case access.RoleSchoolAdmin:
		return apiv1.StaffRole_STAFF_ROLE_SCHOOL_ADMIN
	case access.RoleFinance:
		return apiv1.StaffRole_STAFF_ROLE_FINANCE
	case access.RoleCanteenManager:
		return apiv1.StaffRole_STAFF_ROLE_CANTEEN_MANAGER
	case access.RoleTeacher:
		return apiv1.StaffRole_STAFF_ROLE_TEACHER
	}
	return apiv1.StaffRole_STAFF_ROLE_UNSPECIFIED
}

// roleFromAPI maps an API role to the domain's ("" for unspecified or unknown).
func roleFromAPI(r apiv1.StaffRole) access.Role {
	switch r {
	case apiv1.StaffRole_STAFF_ROLE_SCHOOL_ADMIN:
		return access.RoleSchoolAdmin
	case apiv1.StaffRole_STAFF_ROLE_FINANCE:
		return access.RoleFinance
	case apiv1.StaffRole_STAFF_ROLE_CANTEEN_MANAGER:
		return access.RoleCanteenManager
	case apiv1.StaffRole_STAFF_ROLE_TEACHER:
		return access.RoleTeacher
	}
	return ""
}
