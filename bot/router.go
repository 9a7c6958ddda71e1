package bot

import (
	"context"
	"fmt"
	"maps"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// Entries from Slack are routed by name through one registry per kind:
// slash subcommands, button actions, submitted views and Events API
// events. Each handler registers itself on the line above its
// declaration, so a feature's file holds its entries and nothing else
// needs to know them:
//
//	var _ = commands.add("move", (*Bot).cmdMove)

type (
	commandFunc func(b *Bot, ctx context.Context, req Request, c Command) (Reply, error)
	actionFunc  func(b *Bot, ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction) error
	viewFunc    func(b *Bot, ctx context.Context, cb slack.InteractionCallback) (*slack.ViewSubmissionResponse, error)
	eventFunc   func(b *Bot, ctx context.Context, ev slackevents.EventsAPIInnerEvent) error
)

// registry maps names to handlers of one kind of entry.
type registry[F any] struct {
	kind string
	m    map[string]F
}

func newRegistry[F any](kind string) *registry[F] { return &registry[F]{kind: kind, m: map[string]F{}} }

// add registers fn under name; a name registered twice is a programming
// error caught as the package loads.
func (r *registry[F]) add(name string, fn F) struct{} {
	if _, dup := r.m[name]; dup {
		panic(fmt.Sprintf("bot: %s %q registered twice", r.kind, name))
	}
	r.m[name] = fn
	return struct{}{}
}

var (
	commands = newRegistry[commandFunc]("command")        // by subcommand name
	actions  = newRegistry[actionFunc]("action")          // by action_id
	views    = newRegistry[viewFunc]("view")              // by callback_id
	events   = newRegistry[eventFunc]("events api event") // by inner event type
)

// routes are one Bot's copy of the registries, so a test can add an
// entry to its own bot without touching another's.
type routes struct {
	commands map[string]commandFunc
	actions  map[string]actionFunc
	views    map[string]viewFunc
	events   map[string]eventFunc
}

func newRoutes() routes {
	return routes{
		commands: maps.Clone(commands.m),
		actions:  maps.Clone(actions.m),
		views:    maps.Clone(views.m),
		events:   maps.Clone(events.m),
	}
}
