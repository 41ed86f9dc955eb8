package gateway

import (
	"context"
	"slices"

	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/app/catalog"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// ListSchoolClasses implements apiv1.StaffServiceServer: the classes the caller
// reaches (enrolment.Service.ListClasses), for the console's class pickers.
func (s *StaffService) ListSchoolClasses(ctx context.Context, _ *apiv1.ListSchoolClassesRequest) (*apiv1.ListSchoolClassesResponse, error) {
	p, err := access.RequireStaff(ctx, rolesPupils...)
	if err != nil {
		return nil, err
	}
	cs, err := s.enrol.ListClasses(ctx, staffReach(p))
	if err != nil {
		return nil, err
	}
	out := &apiv1.ListSchoolClassesResponse{Classes: make([]*apiv1.Class, len(cs))}
	for i, c := range cs {
		out.Classes[i] = &apiv1.Class{SchoolId: c.SchoolID, Id: c.ID, Name: c.Name, Grade: c.Grade}
	}
	return out, nil
}

// ListStaffCanteens implements apiv1.StaffServiceServer: the canteens of the
// caller's school (catalog.Service.ListCanteens), with their terminals for
// those who manage them (school admins and canteen managers), never a secret.
func (s *StaffService) ListStaffCanteens(ctx context.Context, _ *apiv1.ListStaffCanteensRequest) (*apiv1.ListStaffCanteensResponse, error) {
	p, err := access.RequireStaff(ctx, rolesCanteen...)
	if err != nil {
		return nil, err
	}
	manages := p.Role == access.RoleSchoolAdmin || slices.Contains(rolesCanteenAdmin, p.Role)
	cat, scope := s.staffCatalog(p)
	cs, err := cat.ListCanteens(ctx, scope, manages)
	if err != nil {
		return nil, err
	}
	out := &apiv1.ListStaffCanteensResponse{Canteens: make([]*apiv1.StaffCanteen, len(cs))}
	for i, c := range cs {
		out.Canteens[i] = &apiv1.StaffCanteen{Canteen: canteenProto(c.Canteen), Terminals: make([]*apiv1.CanteenTerminal, len(c.Terminals))}
		for j, t := range c.Terminals {
			out.Canteens[i].Terminals[j] = &apiv1.CanteenTerminal{TerminalId: t.ID, Name: t.Name,
				Enabled: t.Status == catalog.TerminalActive, CanOverride: t.CanOverride, CreatedUnix: t.CreatedAt.Unix()}
		}
	}
	return out, nil
}
