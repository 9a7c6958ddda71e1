package bot

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
)

// zoneTTL bounds how stale a cached Slack time zone may be; people rarely
// move, and users.info is a Tier 4 call we should not make per command.
const zoneTTL = 6 * time.Hour

type zoneEntry struct {
	loc   *time.Location
	known bool // Slack told the zone; false: the configured default
	at    time.Time
}

type zoneCache struct {
	mu sync.Mutex
	m  map[string]zoneEntry
}

// userLocation returns the caller's Slack time zone (users.info, cached).
// When Slack does not say, in time or at all, it returns the configured
// default and known is false, so the reply can say which zone it read.
func (b *Bot) userLocation(ctx context.Context, userID string) (loc *time.Location, known bool) {
	now := b.now()
	b.zones.mu.Lock()
	e, ok := b.zones.m[userID]
	b.zones.mu.Unlock()
	if ok && now.Sub(e.at) < zoneTTL {
		return e.loc, e.known
	}
	loc = b.cfg.Location
	if !b.offline && userID != "" {
		callCtx, cancel := slackCall(ctx, lookupTimeout)
		u, err := b.slack.GetUserInfoContext(callCtx, userID)
		cancel()
		switch {
		case err != nil:
			// Not cached: the next command asks Slack again rather than
			// reading this person's times in the wrong zone for hours.
			b.log.Warn("users.info failed; using the default zone", slog.String("user", userID), slog.Any("error", err))
			return loc, false
		case u.TZ != "":
			if l, err := exchange.LoadZone(u.TZ); err == nil {
				loc, known = l, true
			}
		}
	}
	b.zones.mu.Lock()
	if b.zones.m == nil {
		b.zones.m = make(map[string]zoneEntry)
	}
	b.zones.m[userID] = zoneEntry{loc: loc, known: known, at: now}
	b.zones.mu.Unlock()
	return loc, known
}

const staffTTL = 10 * time.Minute

// staffCache holds the members of one user group (the staff group).
type staffCache struct {
	mu      sync.Mutex
	group   string
	members []string
	at      time.Time
}

// userGroups answers exchange's staff question for group ids with
// Slack's user groups (usergroups.users.list, cached).
type userGroups struct{ b *Bot }

// InGroup reports whether userID is in the Slack user group. When Slack
// cannot say, the last known members are used rather than locking
// everyone out.
func (g userGroups) InGroup(ctx context.Context, group, userID string) (bool, error) {
	b := g.b
	now := b.now()
	b.staff.mu.Lock()
	defer b.staff.mu.Unlock()
	if b.staff.group != group || b.staff.at.IsZero() || now.Sub(b.staff.at) > staffTTL {
		callCtx, cancel := slackCall(ctx, lookupTimeout)
		members, err := b.slack.GetUserGroupMembersContext(callCtx, group)
		cancel()
		if err != nil {
			b.log.Warn("usergroups.users.list failed", slog.String("group", group), slog.Any("error", err))
			return b.staff.group == group && slices.Contains(b.staff.members, userID), nil
		}
		b.staff.group, b.staff.members, b.staff.at = group, members, now
	}
	return slices.Contains(b.staff.members, userID), nil
}
