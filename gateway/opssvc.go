package gateway

import (
	"context"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/onecode/onecode/app/ops"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// OpsService is the operator API (ops.proto): a thin adapter over app/ops, which
// checks that the caller is the operator.
type OpsService struct {
	apiv1.UnimplementedOpsServiceServer
	ops *ops.Service
}

// NewOpsService returns the operator API over s.
func NewOpsService(s *ops.Service) *OpsService { return &OpsService{ops: s} }

// GetMembers implements OpsService.
func (s *OpsService) GetMembers(ctx context.Context, _ *apiv1.GetMembersRequest) (*apiv1.GetMembersResponse, error) {
	ms, err := s.ops.Members(ctx)
	if err != nil {
		return nil, err
	}
	out := &apiv1.GetMembersResponse{Members: make([]*apiv1.Member, len(ms))}
	for i, m := range ms {
		pm := &apiv1.Member{Id: m.ID, Address: m.Address, State: m.State, Self: m.Self, Since: ts(m.Since),
			ActiveAccounts: m.ActiveAccounts, Activations: m.Activations, Passivations: m.Passivations}
		for _, b := range m.Mailboxes {
			pm.Mailboxes = append(pm.Mailboxes, &apiv1.Mailbox{Actor: b.Actor, Depth: int64(b.Depth)})
		}
		out.Members[i] = pm
	}
	return out, nil
}

// GetJournal implements OpsService.
func (s *OpsService) GetJournal(ctx context.Context, _ *apiv1.GetJournalRequest) (*apiv1.GetJournalResponse, error) {
	f, err := s.ops.Journal(ctx)
	if err != nil {
		return nil, err
	}
	return &apiv1.GetJournalResponse{Member: f.Member, QueueDepth: int64(f.QueueDepth), QueueCapacity: int64(f.QueueCapacity),
		BatchP50: f.BatchP50, BatchP99: f.BatchP99, FlushP50Ms: ms(f.FlushP50), FlushP99Ms: ms(f.FlushP99),
		CommitsPerSecond: f.CommitsPerSecond, Batches: f.Batches, Appends: f.Appends, FailedBatches: f.FailedBatches,
		Rejected: f.Rejected, LastError: f.LastError, LastErrorAt: ts(f.LastErrorAt)}, nil
}

// GetBreakers implements OpsService.
func (s *OpsService) GetBreakers(ctx context.Context, _ *apiv1.GetBreakersRequest) (*apiv1.GetBreakersResponse, error) {
	bs, err := s.ops.Breakers(ctx)
	if err != nil {
		return nil, err
	}
	out := &apiv1.GetBreakersResponse{Breakers: make([]*apiv1.Breaker, len(bs))}
	for i, b := range bs {
		out.Breakers[i] = &apiv1.Breaker{Name: b.Name, State: b.State}
	}
	return out, nil
}

// ListTerminals implements OpsService.
func (s *OpsService) ListTerminals(ctx context.Context, req *apiv1.ListTerminalsRequest) (*apiv1.ListTerminalsResponse, error) {
	list, err := s.ops.Terminals(ctx, req.GetSchoolId())
	if err != nil {
		return nil, err
	}
	out := &apiv1.ListTerminalsResponse{Terminals: make([]*apiv1.TerminalStatus, len(list))}
	for i, t := range list {
		out.Terminals[i] = &apiv1.TerminalStatus{TerminalId: t.TerminalID, SchoolId: t.SchoolID, CanteenId: t.CanteenID,
			Online: t.Online, LastHeartbeat: ts(t.LastSeen), ConnectedAt: ts(t.ConnectedAt), Version: t.Software,
			SalesToday: t.SalesToday, SalesTodayFen: t.SalesFenToday, DeclinesToday: t.DeclinesToday, Member: t.Member}
	}
	return out, nil
}

// GetBacklogs implements OpsService.
func (s *OpsService) GetBacklogs(ctx context.Context, _ *apiv1.GetBacklogsRequest) (*apiv1.GetBacklogsResponse, error) {
	b, err := s.ops.Backlogs(ctx)
	if err != nil {
		return nil, err
	}
	return &apiv1.GetBacklogsResponse{OpenOrders: b.OpenOrders, OverdueOrders: b.OverdueOrders, OutboxPending: b.OutboxPending}, nil
}

// ListAlarms implements OpsService.
func (s *OpsService) ListAlarms(ctx context.Context, req *apiv1.ListAlarmsRequest) (*apiv1.ListAlarmsResponse, error) {
	list, next, err := s.ops.Alarms().List(ctx, req.GetOpenOnly(), int(req.GetPageSize()), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	out := &apiv1.ListAlarmsResponse{Alarms: make([]*apiv1.Alarm, len(list)), NextPageToken: next}
	for i, a := range list {
		out.Alarms[i] = alarmProto(a)
	}
	return out, nil
}

// AcknowledgeAlarm implements OpsService.
func (s *OpsService) AcknowledgeAlarm(ctx context.Context, req *apiv1.AcknowledgeAlarmRequest) (*apiv1.AcknowledgeAlarmResponse, error) {
	a, err := s.ops.Alarms().Acknowledge(ctx, req.GetAlarmId())
	if err != nil {
		return nil, err
	}
	return &apiv1.AcknowledgeAlarmResponse{Alarm: alarmProto(a)}, nil
}

func alarmProto(a ops.Alarm) *apiv1.Alarm {
	return &apiv1.Alarm{Id: a.ID, DedupeKey: a.Key, Kind: a.Kind, Level: string(a.Level), SchoolId: a.SchoolID,
		Subject: a.Subject, Message: a.Message, RaisedAt: ts(a.RaisedAt), LastSeen: ts(a.LastSeen), Count: a.Count,
		ClearedAt: ts(a.Cleared), AcknowledgedBy: a.AckedBy, AcknowledgedAt: ts(a.AckedAt)}
}

// ts is t as a timestamp, nil for the zero time.
func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
