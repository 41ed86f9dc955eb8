package catalog

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/onecode/onecode/app/schools"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
)

// NewTerminal is a terminal to register.
type NewTerminal struct {
	ID        string
	CanteenID string
	// Name defaults to the id.
	Name        string
	CanOverride bool
}

// RegisterTerminal registers terminal n of a canteen within sc (see Canteen), whose
// school becomes the terminal's: active, with a fresh TerminalSecretLen-byte device
// secret. The raw secret is stored in Terminal.SecretHash (the HMAC key of the
// terminal challenge) and answered for the caller to show, this once. A malformed id
// is Invalid; an id already registered (in any school) is AlreadyExists
// TERMINAL_EXISTS, which shows nothing of that terminal.
func (s *Service) RegisterTerminal(ctx context.Context, sc Scope, n NewTerminal) (Terminal, error) {
	if err := directory.ValidateID("terminal", n.ID); err != nil {
		return Terminal{}, schools.InvalidInput(err)
	}
	c, err := s.Canteen(ctx, sc, n.CanteenID)
	if err != nil {
		return Terminal{}, err
	}
	t := Terminal{
		ID: n.ID, SchoolID: c.SchoolID, CanteenID: c.ID, Name: strings.TrimSpace(n.Name),
		Status: directory.TerminalActive, CanOverride: n.CanOverride,
	}
	if t.Name == "" {
		t.Name = t.ID
	}
	t.SecretHash = make([]byte, TerminalSecretLen)
	if _, err := io.ReadFull(s.rand, t.SecretHash); err != nil {
		return Terminal{}, fmt.Errorf("terminal secret: %w", err)
	}
	if err := directory.ValidateTerminal(&t); err != nil {
		return Terminal{}, schools.InvalidInput(err)
	}
	err = s.dir.AddTerminal(ctx, t)
	if errors.Is(err, directory.ErrConflict) {
		return Terminal{}, reason.New(reason.KindAlreadyExists, reason.TerminalExists, "terminal "+t.ID+" is already registered; its secret is not shown again")
	}
	if err != nil {
		return Terminal{}, err
	}
	s.log.Info("terminal registered", append([]any{slog.String("terminal", t.ID), slog.String("school", t.SchoolID),
		slog.String("canteen", t.CanteenID), slog.Bool("can_override", t.CanOverride)}, sc.logAttrs()...)...)
	return t, nil
}

// SetTerminalEnabled enables or disables terminal id within sc (see Terminal) and
// answers it; setting the status it has changes nothing. The handshake reads the
// directory on every connection (Authenticating) and open sessions re-read it
// (Enabled), so a disabled terminal stops taking money on every member.
func (s *Service) SetTerminalEnabled(ctx context.Context, sc Scope, id string, enabled bool) (Terminal, error) {
	t, err := s.Terminal(ctx, sc, id)
	if err != nil {
		return Terminal{}, err
	}
	want := directory.TerminalDisabled
	if enabled {
		want = directory.TerminalActive
	}
	if t.Status == want {
		return t, nil
	}
	if err := s.dir.SetTerminalStatus(ctx, t.ID, want); err != nil {
		return Terminal{}, err
	}
	t.Status = want
	s.log.Info("terminal status set", append([]any{slog.String("terminal", t.ID), slog.String("school", t.SchoolID),
		slog.String("status", string(want))}, sc.logAttrs()...)...)
	return t, nil
}

// Authenticating looks up the terminal that opens a session, for the handshake to
// check its MAC: known is false for an unknown or malformed id; err is a failure of
// the directory.
func (s *Service) Authenticating(ctx context.Context, id string) (t Terminal, known bool, err error) {
	t, err = s.dir.Terminal(ctx, id)
	switch {
	case errors.Is(err, directory.ErrNotFound), errors.Is(err, directory.ErrInvalid):
		return t, false, nil
	case err != nil:
		return t, false, err
	}
	return t, true, nil
}

// Enabled reports whether terminal id may still take money: false once it is
// disabled or removed. err is a failure of the directory (the answer is then unknown).
func (s *Service) Enabled(ctx context.Context, id string) (bool, error) {
	t, err := s.dir.Terminal(ctx, id)
	switch {
	case errors.Is(err, directory.ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return t.Status == directory.TerminalActive, nil
}

// Welcome is what an authenticated terminal t is told: its canteen's name and the
// version of the canteen's catalog.
func (s *Service) Welcome(ctx context.Context, t Terminal) (canteenName string, catalogVersion int64, err error) {
	c, err := s.dir.Canteen(ctx, t.CanteenID)
	if err != nil {
		return "", 0, err
	}
	v, err := s.dir.CatalogVersion(ctx, t.CanteenID)
	if err != nil {
		return "", 0, err
	}
	return c.Name, v, nil
}
