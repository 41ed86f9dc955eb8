package guardian

import (
	"context"
	"log/slog"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/app/input"
	"github.com/onecode/onecode/domain/reason"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// ReportLoss stops the child's card at once; the same request id answers the first
// report again. It answers the card generation after the report.
func (s *Service) ReportLoss(ctx context.Context, parentID, accountID, requestID string) (int64, error) {
	if err := s.Guard(ctx, parentID, accountID); err != nil {
		return 0, err
	}
	if err := input.CheckRequestID(requestID); err != nil {
		return 0, err
	}
	return ReportCardLoss(ctx, s.c.Accounts, s.c.Logger, accountID, "parent", requestID)
}

// SetDailyCap sets the child's daily spend cap (0 = no cap) under the request id.
func (s *Service) SetDailyCap(ctx context.Context, parentID, accountID string, amountFen int64, requestID string) error {
	if err := s.Guard(ctx, parentID, accountID); err != nil {
		return err
	}
	if amountFen < 0 || amountFen > MaxDailyCapFen {
		return reason.Invalid(reason.InvalidArgument, "amount_fen %d, want 0..%d (0 = no cap)", amountFen, MaxDailyCapFen)
	}
	if err := input.CheckRequestID(requestID); err != nil {
		return err
	}
	_, err := Execute(ctx, s.c.Accounts, accountID, &grainv1.ExecuteRequest{
		IdemKey: "dailycap:parent:" + requestID,
		Command: &grainv1.ExecuteRequest_SetDailyCap{SetDailyCap: &grainv1.SetDailyCapCommand{AmountFen: amountFen}},
	})
	return err
}

// ReportCardLoss runs the loss report of by ("parent" or "staff") under the key
// "loss:<by>:<request id>" and answers the card generation after it.
func ReportCardLoss(ctx context.Context, accounts *actors.Accounts, logger *slog.Logger, accountID, by, requestID string) (int64, error) {
	a, err := Execute(ctx, accounts, accountID, &grainv1.ExecuteRequest{
		IdemKey: "loss:" + by + ":" + requestID,
		Command: &grainv1.ExecuteRequest_ReportLoss{ReportLoss: &grainv1.ReportLossCommand{By: by}},
	})
	if err != nil {
		return 0, err
	}
	logger.Info("card reported lost", slog.String("account", accountID), slog.String("by", by), slog.Bool("replayed", a.GetReplayed()))
	return a.GetCardGeneration(), nil
}

// Execute runs a command on an account and answers the accepted outcome; a decline
// is a *reason.Error whose kind follows from its reason.
func Execute(ctx context.Context, accounts *actors.Accounts, accountID string, req *grainv1.ExecuteRequest) (*grainv1.Accepted, error) {
	resp, err := accounts.Execute(ctx, accountID, req)
	if err != nil {
		return nil, err
	}
	if dec := resp.GetDeclined(); dec != nil {
		c := reason.Code(dec.GetReason())
		return nil, reason.New(reason.DeclineKind(c), c, dec.GetMessage())
	}
	return resp.GetAccepted(), nil
}
