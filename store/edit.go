package store

import (
	"context"
	"time"
)

// Details are what an edit of a session may change; its time changes
// with Reschedule.
type Details struct {
	Title, Kind, Link, Description, Lang string
}

// SetDetails sets a session's details and raises its sequence, so
// calendar clients take the new version.
func (t *Tx) SetDetails(ctx context.Context, id int64, d Details, now time.Time) error {
	return t.exec1(ctx, id, `UPDATE sessions SET title = ?, kind = ?, link = ?, description = ?, lang = ?,
		sequence = sequence + 1, updated_at = ? WHERE id = ?`, d.Title, d.Kind, d.Link, d.Description, d.Lang, now.Unix(), id)
}
