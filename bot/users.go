package bot

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/exchange"
)

// zoneTTL bounds how stale a cached Slack time zone may be; people rarely
// move, and users.info is a Tier 4 call we should not make per command.
const zoneTTL = 6 * time.Hour

type zoneEntry struct {
	loc *time.Location
	// locale is the person's Slack locale ("es-CL"), "" when unknown.
	locale string
	known  bool // Slack told the zone; false: loc is the configured default
	at     time.Time
}

type zoneCache struct {
	mu sync.Mutex
	m  map[string]zoneEntry
}

// userLocation returns the caller's Slack time zone (users.info, cached),
// or the configured default when Slack does not say.
func (b *Bot) userLocation(ctx context.Context, userID string) *time.Location {
	return b.userInfo(ctx, userID).loc
}

// userInfo is what users.info says of a person (cached): their zone and
// locale, else the configured zone and no locale.
func (b *Bot) userInfo(ctx context.Context, userID string) zoneEntry {
	now := b.now()
	b.zones.mu.Lock()
	e, ok := b.zones.m[userID]
	b.zones.mu.Unlock()
	if ok && now.Sub(e.at) < zoneTTL {
		return e
	}
	e = zoneEntry{loc: b.cfg.Location, at: now}
	if !b.offline && userID != "" {
		// Asked while Slack waits for an answer: given up in time (the
		// rate guard also ends it at the answer time), and the reply says
		// which zone it read (known stays false).
		callCtx, cancel := context.WithTimeout(ctx, lookupTimeout)
		u, err := b.slack.GetUserInfoContext(callCtx, userID, slack.GetUserInfoOptionIncludeLocale(true))
		cancel()
		if err != nil {
			// Not cached: the next command asks Slack again rather than
			// reading this person's times in the wrong zone for hours.
			b.log.Warn("users.info failed; using the default zone", slog.String("user", userID), slog.Any("error", err))
			return e
		}
		if u.TZ != "" {
			if l, err := exchange.LoadZone(u.TZ); err == nil {
				e.loc, e.known = l, true
			}
		}
		e.locale = u.Locale
	}
	b.zones.mu.Lock()
	if b.zones.m == nil {
		b.zones.m = make(map[string]zoneEntry)
	}
	b.zones.m[userID] = e
	b.zones.mu.Unlock()
	return e
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
		callCtx, cancel := context.WithTimeout(ctx, lookupTimeout)
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
