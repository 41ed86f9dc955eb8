package pgdirectory

import (
	"context"
	"errors"
	"fmt"

	"github.com/onecode/onecode/persistence/directory"
)

var _ directory.WeChatLinks = (*Store)(nil)

// BeginWeChatLink implements directory.WeChatLinks.
func (s *Store) BeginWeChatLink(ctx context.Context, parentID, nonce string) error {
	if err := errors.Join(directory.ValidateID("parent", parentID), directory.ValidateID("state nonce", nonce)); err != nil {
		return err
	}
	_, err := s.exec(ctx, "begin wechat link "+parentID, `INSERT INTO parent_wechat (parent_id, state_nonce) VALUES ($1, $2)
		ON CONFLICT (parent_id) DO UPDATE SET state_nonce = excluded.state_nonce`, parentID, nonce)
	return err
}

// ConsumeWeChatState implements directory.WeChatLinks.
func (s *Store) ConsumeWeChatState(ctx context.Context, parentID, nonce string) error {
	if err := errors.Join(directory.ValidateID("parent", parentID), directory.ValidateID("state nonce", nonce)); err != nil {
		return err
	}
	tag, err := s.exec(ctx, "consume wechat state "+parentID,
		`UPDATE parent_wechat SET state_nonce = NULL WHERE parent_id = $1 AND state_nonce = $2`, parentID, nonce)
	if err == nil && tag.RowsAffected() != 1 {
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
	if _, err := s.exec(ctx, "link wechat "+parentID, `INSERT INTO parent_wechat (parent_id, openid, linked_at) VALUES ($1, $2, $3)
		ON CONFLICT (parent_id) DO UPDATE SET openid = excluded.openid, linked_at = excluded.linked_at`, parentID, openID, at); err != nil {
		return directory.WeChatLink{}, err
	}
	return directory.WeChatLink{ParentID: parentID, OpenID: openID, LinkedAt: at}, nil
}

// UnlinkWeChat implements directory.WeChatLinks.
func (s *Store) UnlinkWeChat(ctx context.Context, parentID string) error {
	if err := directory.ValidateID("parent", parentID); err != nil {
		return err
	}
	tag, err := s.exec(ctx, "unlink wechat "+parentID,
		`UPDATE parent_wechat SET openid = NULL, linked_at = NULL WHERE parent_id = $1 AND openid IS NOT NULL`, parentID)
	if err == nil && tag.RowsAffected() != 1 {
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
	err := s.pool.QueryRow(ctx, `SELECT openid, linked_at FROM parent_wechat WHERE parent_id = $1 AND openid IS NOT NULL`,
		parentID).Scan(&l.OpenID, &l.LinkedAt)
	l.LinkedAt = l.LinkedAt.UTC()
	return l, mapErr("wechat link of "+parentID, err)
}

// WeChatLinksOf implements directory.WeChatLinks.
func (s *Store) WeChatLinksOf(ctx context.Context, parentIDs []string) (map[string]directory.WeChatLink, error) {
	if err := directory.ValidateParentIDBatch(parentIDs); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT parent_id, openid, linked_at FROM parent_wechat
		WHERE parent_id = ANY($1) AND openid IS NOT NULL`, parentIDs)
	if err != nil {
		return nil, mapErr("wechat links of parents", err)
	}
	defer rows.Close()
	out := map[string]directory.WeChatLink{}
	for rows.Next() {
		var l directory.WeChatLink
		if err := rows.Scan(&l.ParentID, &l.OpenID, &l.LinkedAt); err != nil {
			return nil, mapErr("wechat links of parents", err)
		}
		l.LinkedAt = l.LinkedAt.UTC()
		out[l.ParentID] = l
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr("wechat links of parents", err)
	}
	return out, nil
}
