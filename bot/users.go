package bot

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
)

// zoneTTL bounds how stale a cached Slack time zone may be; people rarely
// move, and users.info is a Tier 4 call we should not make per command.
const zoneTTL = 6 * time.Hour

type zoneEntry struct {
	loc *time.Location
	at  time.Time
}

type zoneCache struct {
	mu sync.Mutex
	m  map[string]zoneEntry
}

// userLocation returns the caller's Slack time zone (users.info, cached),
// or the configured default when Slack does not say.
func (b *Bot) userLocation(ctx context.Context, userID string) *time.Location {
	now := b.now()
	b.zones.mu.Lock()
	e, ok := b.zones.m[userID]
	b.zones.mu.Unlock()
	if ok && now.Sub(e.at) < zoneTTL {
		return e.loc
	}
	loc := b.cfg.Location
	if !b.offline && userID != "" {
		u, err := b.slack.GetUserInfoContext(ctx, userID)
		switch {
		case err != nil:
			// Not cached: the next command asks Slack again rather than
			// reading this person's times in the wrong zone for hours.
			b.log.Warn("users.info failed; using the default zone", slog.String("user", userID), slog.Any("error", err))
			return loc
		case u.TZ != "":
			if l, err := loadLocation(u.TZ); err == nil {
				loc = l
			}
		}
	}
	b.zones.mu.Lock()
	if b.zones.m == nil {
		b.zones.m = make(map[string]zoneEntry)
	}
	b.zones.m[userID] = zoneEntry{loc: loc, at: now}
	b.zones.mu.Unlock()
	return loc
}

const staffTTL = 10 * time.Minute

type staffCache struct {
	mu      sync.Mutex
	members []string
	at      time.Time
}

// isStaff reports whether userID may schedule: everyone when staff is
// empty, else a listed user or a member of the one listed user group.
func (b *Bot) isStaff(ctx context.Context, userID string) bool {
	staff := b.cfg.Staff
	if len(staff) == 0 {
		return true
	}
	if len(staff) != 1 || !strings.HasPrefix(staff[0], "S") {
		return slices.Contains(staff, userID)
	}
	now := b.now()
	b.staff.mu.Lock()
	defer b.staff.mu.Unlock()
	if b.staff.at.IsZero() || now.Sub(b.staff.at) > staffTTL {
		members, err := b.slack.GetUserGroupMembersContext(ctx, staff[0])
		if err != nil {
			b.log.Warn("usergroups.users.list failed", slog.String("group", staff[0]), slog.Any("error", err))
			// Keep the last known list rather than locking everyone out.
			return slices.Contains(b.staff.members, userID)
		}
		b.staff.members, b.staff.at = members, now
	}
	return slices.Contains(b.staff.members, userID)
}
