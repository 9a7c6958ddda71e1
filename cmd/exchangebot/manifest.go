package main

import (
	"io"

	"gopkg.in/yaml.v3"

	"github.com/exchangebot/exchangebot/i18n"
)

// botScopes are exactly the scopes the bot's calls need.
var botScopes = []string{
	"channels:history",  // conversations.history/replies: find a post after a crash (public channels)
	"channels:read",     // conversations.info: check a public channel when scheduling
	"chat:write",        // chat.postMessage, chat.update, chat.postEphemeral
	"chat:write.public", // announce in public channels the bot was never invited to
	"commands",          // the slash command
	"groups:history",    // the same recovery in private channels
	"groups:read",       // conversations.info: tell the creator at once to invite the bot to a private channel
	"im:history",        // message.im events (lesson answers), DM recovery, a message offered as an added answer
	"im:write",          // conversations.open for reminders and prompts
	"usergroups:read",   // staff given as a user group
	"users:read",        // users.info: the caller's time zone
}

// botEvents are the events the bot subscribes to: DMs (lesson answers
// and chat) and the App Home being opened.
var botEvents = []string{"app_home_opened", "message.im"}

// manifest is the Slack app manifest for this server's URLs, worded in
// the configured language: a manifest has one wording for everyone.
func manifest(c *Config) map[string]any {
	lang := i18n.Lang(c.Language)
	socket := c.Slack.AppToken != ""
	settings := map[string]any{
		"org_deploy_enabled":     false,
		"socket_mode_enabled":    socket,
		"token_rotation_enabled": false,
		"interactivity":          map[string]any{"is_enabled": true},
		"event_subscriptions":    map[string]any{"bot_events": botEvents},
	}
	command := map[string]any{
		"command":       c.Slack.Command,
		"description":   i18n.T(lang, "cli.manifest.command", nil),
		"usage_hint":    i18n.T(lang, "cli.manifest.usage_hint", nil),
		"should_escape": true,
	}
	if !socket {
		settings["interactivity"] = map[string]any{"is_enabled": true, "request_url": c.BaseURL + "/slack/interactivity"}
		settings["event_subscriptions"] = map[string]any{
			"request_url": c.BaseURL + "/slack/events",
			"bot_events":  botEvents,
		}
		command["url"] = c.BaseURL + "/slack/commands"
	}
	return map[string]any{
		"_metadata": map[string]any{"major_version": 1, "minor_version": 1},
		"display_information": map[string]any{
			"name":             "exchangebot",
			"description":      i18n.T(lang, "cli.manifest.app", nil),
			"long_description": i18n.T(lang, "cli.manifest.app_long", nil),
			"background_color": "#1d4f91",
		},
		"features": map[string]any{
			"bot_user":       map[string]any{"display_name": "exchangebot", "always_online": true},
			"app_home":       map[string]any{"home_tab_enabled": true, "messages_tab_enabled": true, "messages_tab_read_only_enabled": false},
			"slash_commands": []any{command},
		},
		"oauth_config": map[string]any{"scopes": map[string]any{"bot": botScopes}},
		"settings":     settings,
	}
}

func cmdManifest(lang i18n.Lang, args []string, stdout io.Writer) error {
	fs, configPath := flags(lang, "manifest")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*configPath)
	if err != nil {
		return err
	}
	enc := yaml.NewEncoder(stdout)
	enc.SetIndent(2)
	defer enc.Close()
	return enc.Encode(manifest(cfg))
}
