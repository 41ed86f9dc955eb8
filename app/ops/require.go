package ops

import (
	"context"

	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/domain/reason"
)

// ErrOperatorOnly: staff, a parent or a terminal on the operator API.
var ErrOperatorOnly = reason.New(reason.KindPermissionDenied, reason.RoleNotAllowed, "this API is for operators")

// operatorName names the operator in acknowledgements: the operator token has no
// subject, so it is "operator".
const operatorName = "operator"

// RequireOperator returns the operator's name for the record (who acknowledged)
// if the caller is the operator; ErrOperatorOnly for any other caller and
// access.ErrUnauthenticated for none.
func RequireOperator(ctx context.Context) (string, error) {
	p, ok := access.PrincipalFrom(ctx)
	if !ok {
		return "", access.ErrUnauthenticated
	}
	if p.Kind != access.KindOperator {
		return "", ErrOperatorOnly
	}
	if p.SubjectID != "" {
		return p.SubjectID, nil
	}
	return operatorName, nil
}
