package sqlitedirectory

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/onecode/onecode/persistence/directory"
)

var _ directory.WeChatLinks = (*Store)(nil)

// BeginWeChatLink implements directory.WeChatLinks.
func (s *Store) BeginWeChatLink(ctx context.Context, parentID, nonce string) error {
	if err := errors.Join(directory.ValidateID("parent", parentID), directory.ValidateID("state nonce", nonce)); err != nil {
		return err
	}
	_, err := exec(ctx, s.db, "begin wechat link "+parentID, `INSERT INTO parent_wechat (parent_id, state_nonce) VALUES (?, ?)
		ON CONFLICT (parent_id) DO UPDATE SET state_nonce = excluded.state_nonce`, parentID, nonce)
	return err
}

// ConsumeWeChatState implements directory.WeChatLinks.
func (s *Store) ConsumeWeChatState(ctx context.Context, parentID, nonce string) error {
	if err := errors.Join(directory.ValidateID("parent", parentID), directory.ValidateID("state nonce", nonce)); err != nil {
		return err
	}
	n, err := exec(ctx, s.db, "consume wechat state "+parentID,
		`UPDATE parent_wechat SET state_nonce = NULL WHERE parent_id = ? AND state_nonce = ?`, parentID, nonce)
	if err == nil && n != 1 {
		err = fmt.Errorf("%w: no such pending WeChat link", directory.ErrNotFound)
	}
	return err
}

// LinkWeChat implements directory.WeChatLinks.
func (s *Store) LinkWeChat(ctx context.Context, parentID, openID string) (directory.WeChatLink, error) {
	if err := errors.Join(directory.ValidateID("parent", parentID), directory.ValidateOpenID(openID)); err != nil {
		return directory.WeChatLink{}, err
	}
	at := s.clock()
	if _, err := exec(ctx, s.db, "link wechat "+parentID, `INSERT INTO parent_wechat (parent_id, openid, linked_at) VALUES (?, ?, ?)
		ON CONFLICT (parent_id) DO UPDATE SET openid = excluded.openid, linked_at = excluded.linked_at`, parentID, openID, at); err != nil {
		return directory.WeChatLink{}, err
	}
	return directory.WeChatLink{ParentID: parentID, OpenID: openID, LinkedAt: fromMicro(at)}, nil
}

// UnlinkWeChat implements directory.WeChatLinks.
func (s *Store) UnlinkWeChat(ctx context.Context, parentID string) error {
	if err := directory.ValidateID("parent", parentID); err != nil {
		return err
	}
	n, err := exec(ctx, s.db, "unlink wechat "+parentID,
		`UPDATE parent_wechat SET openid = NULL, linked_at = NULL WHERE parent_id = ? AND openid IS NOT NULL`, parentID)
	if err == nil && n != 1 {
		err = fmt.Errorf("%w: no WeChat link", directory.ErrNotFound)
	}
	return err
}

// WeChatLinkOf implements directory.WeChatLinks.
func (s *Store) WeChatLinkOf(ctx context.Context, parentID string) (directory.WeChatLink, error) {
	if err := directory.ValidateID("parent", parentID); err != nil {
		return directory.WeChatLink{}, err
	}
	l := directory.WeChatLink{ParentID: parentID}
	var at int64
	err := s.db.QueryRowContext(ctx, `SELECT openid, linked_at FROM parent_wechat WHERE parent_id = ? AND openid IS NOT NULL`,
		parentID).Scan(&l.OpenID, &at)
	l.LinkedAt = fromMicro(at)
	return l, mapErr("wechat link of "+parentID, err)
}

// WeChatLinksOf implements directory.WeChatLinks: one statement (MaxLinkBatch
// is below SQLite's smallest bound on a statement's parameters, 999).
func (s *Store) WeChatLinksOf(ctx context.Context, parentIDs []string) (map[string]directory.WeChatLink, error) {
	if err := directory.ValidateParentIDBatch(parentIDs); err != nil {
		return nil, err
	}
	args := make([]any, len(parentIDs))
	for i, id := range parentIDs {
		args[i] = id
	}
	rows, err := s.db.QueryContext(ctx, `SELECT parent_id, openid, linked_at FROM parent_wechat
		WHERE parent_id IN (?`+strings.Repeat(", ?", len(args)-1)+`) AND openid IS NOT NULL`, args...)
	if err != nil {
		return nil, mapErr("wechat links of parents", err)
	}
	out := map[string]directory.WeChatLink{}
	err = eachRow(rows, func() error {
		var l directory.WeChatLink
		var at int64
		if err := rows.Scan(&l.ParentID, &l.OpenID, &at); err != nil {
			return err
		}
		l.LinkedAt = fromMicro(at)
		out[l.ParentID] = l
		return nil
	})
	if err != nil {
		return nil, mapErr("wechat links of parents", err)
	}
	return out, nil
}
