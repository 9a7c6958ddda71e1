package bot

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/store"
)

// inbound is the payload of an exchange.KindInbound row: a slash command
// acknowledged over Socket Mode, as Slack sent it, and its redelivery key.
type inbound struct {
	Key     string          `json:"key"`
	Command json.RawMessage `json:"command"`
}

// accept stores a slash command before its ack (see socketEvent).
func (b *Bot) accept(ctx context.Context, userID, key string, command json.RawMessage) error {
	payload, err := json.Marshal(inbound{Key: key, Command: command})
	if err != nil {
		return err
	}
	return b.svc.Accept(ctx, userID, key, string(payload))
}

var _ = registerSender(exchange.KindInbound, (*Bot).sendInbound)

// sendInbound carries out a command kept by accept and answers it at its
// response_url. The command's change commits with its key, so a row run
// again (after a crash between the two) changes nothing and says nothing.
func (b *Bot) sendInbound(ctx context.Context, d store.Delivery, _ *store.Session) (string, string, error) {
	var in inbound
	var sc slack.SlashCommand
	if err := json.Unmarshal([]byte(d.Payload), &in); err != nil {
		return "", "", fmt.Errorf("bot: inbound row %d: %w", d.ID, err)
	}
	if err := json.Unmarshal(in.Command, &sc); err != nil {
		return "", "", fmt.Errorf("bot: inbound row %d: %w", d.ID, err)
	}
	reply, dup := b.runCommand(ctx, sc, in.Key)
	if !dup {
		b.replyLater(ctx, sc, reply)
	}
	// Carried out: the row is done, in the channel the command came from.
	return sc.ChannelID, "", nil
}
