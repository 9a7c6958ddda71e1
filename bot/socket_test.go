package bot

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"
	"github.com/slack-go/slack/socketmode"
)

// A Socket Mode smoke test: a slash command arrives over slacktest's
// websocket, runs through the same code as HTTP, and is acknowledged with
// the reply; its redelivery acts once.
func TestSocketModeSlashCommand(t *testing.T) {
	e := newTestBot(t)
	ws := slacktest.NewTestServer()
	ws.Start()
	defer ws.Stop()
	api := slack.New("xoxb-test", slack.OptionAPIURL(ws.GetAPIURL()), slack.OptionAppLevelToken("xapp-1-test"))
	client := socketmode.New(api)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go e.bot.RunSocketMode(ctx, client)

	payload, _ := json.Marshal(map[string]string{
		"command": "/exchange", "text": `new "Socket session" ` + futureDate(3) + ` 10:00 <#C1|general>`,
		"user_id": "U1", "channel_id": "C1", "team_id": "T1", "trigger_id": "sock-trigger-1",
	})
	envelope, _ := json.Marshal(map[string]any{
		"envelope_id": "env-1", "type": "slash_commands", "payload": json.RawMessage(payload), "accepts_response_payload": true,
	})
	// The client connects in the background; resend until acknowledged,
	// which is also a redelivery once the first copy got through.
	deadline := time.Now().Add(10 * time.Second)
	var ack string
	for ack == "" && time.Now().Before(deadline) {
		ws.SendToWebsocket(string(envelope))
		time.Sleep(100 * time.Millisecond)
		for _, m := range ws.GetSeenInboundMessages() {
			if strings.Contains(m, "env-1") && strings.Contains(m, "#1") {
				ack = m
			}
		}
	}
	if ack == "" {
		t.Fatalf("no acknowledgement with the reply; seen %v", ws.GetSeenInboundMessages())
	}
	if !strings.Contains(ack, "ephemeral") {
		t.Errorf("ack payload is not an ephemeral reply: %s", ack)
	}
	ws.SendToWebsocket(string(envelope))
	time.Sleep(200 * time.Millisecond)
	e.bot.Wait()
	if n := e.sessionCount(); n != 1 {
		t.Fatalf("%d sessions after redelivery over Socket Mode, want 1", n)
	}
}
