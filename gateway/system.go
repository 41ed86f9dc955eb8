package gateway

import (
	"context"

	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// InfoSource tells SystemService what to report about this member.
type InfoSource interface {
	Info() *apiv1.GetInfoResponse
}

type systemService struct {
	apiv1.UnimplementedSystemServiceServer
	info InfoSource
}

func (s *systemService) GetInfo(context.Context, *apiv1.GetInfoRequest) (*apiv1.GetInfoResponse, error) {
	if s.info == nil {
		return &apiv1.GetInfoResponse{}, nil
	}
	return s.info.Info(), nil
}
