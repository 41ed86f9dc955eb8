package gateway

import (
	"context"
	"time"

	"google.golang.org/genproto/googleapis/api/httpbody"

	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/app/cardprint"
	"github.com/onecode/onecode/app/fees"
	"github.com/onecode/onecode/domain/reason"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// GetBillReceipt implements apiv1.FeeParentServiceServer: the receipt PDF of the
// caller's child's bill (fees.Service.Receipt checks the guardianship). Without a
// CJK font (ReceiptFont) Chinese fields print as their ids.
func (s *FeeParentService) GetBillReceipt(ctx context.Context, req *apiv1.GetBillReceiptRequest) (*httpbody.HttpBody, error) {
	p, err := access.RequireParent(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.fees.Receipt(ctx, p.SubjectID, req.GetAccountId(), req.GetItemId())
	if err != nil {
		return nil, err
	}
	now := s.now()
	pdf, err := cardprint.ReceiptPDF(cardprint.Receipt{
		School: s.printable(r.SchoolName, "School "+r.SchoolID), Item: s.printable(r.ItemTitle, r.ItemID),
		Pupil: s.printable(r.MaskedName, r.AccountID), PaidFen: r.PaidFen, Reference: r.ItemID + "/" + r.AccountID,
		Paid: now, FontTTF: s.ReceiptFont, Payments: s.receiptPayments(r.Payments)})
	if err != nil {
		return nil, reason.Wrap(reason.KindInternal, reason.Internal, "internal error", err)
	}
	return &httpbody.HttpBody{ContentType: "application/pdf", Data: pdf}, nil
}

// ListBillPayments implements apiv1.FeeParentServiceServer: the payments of the
// caller's child's bill with something paid (what the receipt lists), oldest first.
func (s *FeeParentService) ListBillPayments(ctx context.Context, req *apiv1.ListBillPaymentsRequest) (*apiv1.ListBillPaymentsResponse, error) {
	p, err := access.RequireParent(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.fees.Receipt(ctx, p.SubjectID, req.GetAccountId(), req.GetItemId())
	if err != nil {
		return nil, err
	}
	out := &apiv1.ListBillPaymentsResponse{PaidFen: r.PaidFen, Payments: make([]*apiv1.BillPayment, len(r.Payments))}
	for i, pm := range r.Payments {
		out.Payments[i] = &apiv1.BillPayment{At: pm.At.UTC().Format(time.RFC3339), AmountFen: pm.AmountFen,
			Method: pm.Method, Reference: pm.Reference, RefundedFen: pm.RefundedFen}
	}
	return out, nil
}

// printable is text when the receipt's font can draw it, else alt.
func (s *FeeParentService) printable(text, alt string) string {
	if text == "" || len(text) > cardprint.MaxFieldLen {
		return alt
	}
	if s.ReceiptFont != nil {
		return text
	}
	for i := 0; i < len(text); i++ {
		if text[i] < 0x20 || text[i] > 0x7E {
			return alt
		}
	}
	return text
}

// receiptPayments are the bill's payments as the receipt lists them; a reference
// the font cannot draw prints as "-".
func (s *FeeParentService) receiptPayments(ps []fees.Payment) []cardprint.ReceiptPayment {
	out := make([]cardprint.ReceiptPayment, len(ps))
	for i, p := range ps {
		ref := p.Reference
		if ref != "" {
			ref = s.printable(ref, "-")
		}
		out[i] = cardprint.ReceiptPayment{At: p.At, AmountFen: p.AmountFen, How: p.Method, Reference: ref}
	}
	return out
}
