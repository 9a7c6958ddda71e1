package main

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestManifest(t *testing.T) {
	firstPassOnly(t)
	bin := binary(t)
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "127.0.0.1:9", "", "")
	c := exec.Command(bin, "manifest", "-config", cfg)
	c.Env = cleanEnv()
	out, err := c.Output()
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features struct {
			AppHome struct {
				HomeTab bool `json:"home_tab_enabled"`
			} `json:"app_home"`
			SlashCommands []struct {
				Command      string `json:"command"`
				URL          string `json:"url"`
				UsageHint    string `json:"usage_hint"`
				ShouldEscape bool   `json:"should_escape"`
			} `json:"slash_commands"`
		} `json:"features"`
		OAuth struct {
			Scopes struct {
				Bot []string `json:"bot"`
			} `json:"scopes"`
		} `json:"oauth_config"`
		Settings struct {
			Interactivity struct {
				RequestURL string `json:"request_url"`
			} `json:"interactivity"`
			Events struct {
				RequestURL string   `json:"request_url"`
				BotEvents  []string `json:"bot_events"`
			} `json:"event_subscriptions"`
			Socket bool `json:"socket_mode_enabled"`
		} `json:"settings"`
	}
	if err := yamlToJSON(out, &m); err != nil {
		t.Fatalf("manifest is not YAML: %v\n%s", err, out)
	}
	sc := m.Features.SlashCommands
	if len(sc) != 1 || sc[0].Command != "/exchange" || !sc[0].ShouldEscape || sc[0].UsageHint == "" || sc[0].URL != "http://127.0.0.1:9/slack/commands" {
		t.Errorf("slash command: %+v", sc)
	}
	if m.Settings.Interactivity.RequestURL != "http://127.0.0.1:9/slack/interactivity" || m.Settings.Events.RequestURL != "http://127.0.0.1:9/slack/events" || m.Settings.Socket {
		t.Errorf("settings: %+v", m.Settings)
	}
	if strings.Join(m.OAuth.Scopes.Bot, ",") != strings.Join(botScopes, ",") {
		t.Errorf("scopes: %v", m.OAuth.Scopes.Bot)
	}
	// Announcements reach public channels the bot was never invited to;
	// private ones are checked when scheduling.
	for _, want := range []string{"chat:write.public", "channels:read", "groups:read"} {
		if !slices.Contains(m.OAuth.Scopes.Bot, want) {
			t.Errorf("scopes lack %s: %v", want, m.OAuth.Scopes.Bot)
		}
	}
	if !m.Features.AppHome.HomeTab || !slices.Contains(m.Settings.Events.BotEvents, "app_home_opened") || !slices.Contains(m.Settings.Events.BotEvents, "message.im") {
		t.Errorf("App Home: tab %v, events %v", m.Features.AppHome.HomeTab, m.Settings.Events.BotEvents)
	}

	c = exec.Command(bin, "manifest", "-config", cfg)
	c.Env = append(cleanEnv(), "SLACK_APP_TOKEN=xapp-1-test")
	out, err = c.Output()
	if err != nil {
		t.Fatal(err)
	}
	m.Settings.Socket = false
	if err := yamlToJSON(out, &m); err != nil || !m.Settings.Socket {
		t.Errorf("with an app token, socket_mode_enabled should be true: %s", out)
	}
	if strings.Contains(string(out), "xapp-1-test") {
		t.Error("the manifest leaks the app token")
	}
}

// yamlToJSON decodes YAML into v through JSON tags.
func yamlToJSON(b []byte, v any) error {
	var generic any
	if err := yaml.Unmarshal(b, &generic); err != nil {
		return err
	}
	j, err := json.Marshal(generic)
	if err != nil {
		return err
	}
	return json.Unmarshal(j, v)
}
