package main

import (
	"fmt"
	"log/slog"
	"os"

	"google.golang.org/grpc/grpclog"
)

// setGRPCLogger routes grpc's own logging to logger, once, before the process makes
// any gRPC server or connection (grpclog.SetLoggerV2 is not safe to call later).
// grpc's warnings (a client that went away, a refused connection) go to debug and
// its errors to warn; its info lines are dropped.
func setGRPCLogger(logger *slog.Logger) {
	grpclog.SetLoggerV2(grpcSlog{logger.With(slog.String("component", "grpc"))})
}

type grpcSlog struct{ l *slog.Logger }

func (g grpcSlog) Info(...any)                 {}
func (g grpcSlog) Infoln(...any)               {}
func (g grpcSlog) Infof(string, ...any)        {}
func (g grpcSlog) Warning(a ...any)            { g.l.Debug(fmt.Sprint(a...)) }
func (g grpcSlog) Warningln(a ...any)          { g.l.Debug(fmt.Sprint(a...)) }
func (g grpcSlog) Warningf(f string, a ...any) { g.l.Debug(fmt.Sprintf(f, a...)) }
func (g grpcSlog) Error(a ...any)              { g.l.Warn(fmt.Sprint(a...)) }
func (g grpcSlog) Errorln(a ...any)            { g.l.Warn(fmt.Sprint(a...)) }
func (g grpcSlog) Errorf(f string, a ...any)   { g.l.Warn(fmt.Sprintf(f, a...)) }
func (g grpcSlog) Fatal(a ...any)              { g.l.Error(fmt.Sprint(a...)); os.Exit(1) }
func (g grpcSlog) Fatalln(a ...any)            { g.l.Error(fmt.Sprint(a...)); os.Exit(1) }
func (g grpcSlog) Fatalf(f string, a ...any)   { g.l.Error(fmt.Sprintf(f, a...)); os.Exit(1) }
func (g grpcSlog) V(l int) bool                { return false }
