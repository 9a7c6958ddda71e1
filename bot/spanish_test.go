package bot

// The Spanish renderings: every reply and every kind of message the bot
// sends, rendered for a Spanish reader and compared with its golden file
// (testdata/golden/es/<name>.txt; `go test ./bot -run TestSpanishRenderings
// -update` rewrites them). A rendering fails when it holds a passage of
// the English catalogs (i18ntest.Foreign). A feature that adds a reply or
// a kind of message adds a row to spanishRenderings; a row showing a kind
// of outbox row names it in kinds, and TestSpanishRenderingsCoverEveryKind
// fails while a kind the bot sends is named by none.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/i18n/i18ntest"
	"github.com/exchangebot/exchangebot/store"
)

var update = flag.Bool("update", false, "rewrite the golden files of TestSpanishRenderings")

// spanishRendering is one row: render returns what a Spanish reader
// reads, given a bot of its own (config changed by config, when set) whose
// clock stands at goldenNow, where UES (es-CL) is staff and UES2 (es-419)
// and UES3 (es-MX) are colleagues. kinds are the outbox kinds whose
// message the rendering shows: each must have gone out while it was
// rendered, and every kind a person reads must be some row's (see
// TestSpanishRenderingsCoverEveryKind).
type spanishRendering struct {
	name   string
	config func(*Config)
	kinds  []string
	render func(g *goldenBot) string
}

// goldenNow is Monday 30 November 2026, 12:00 in Santiago.
var goldenNow = time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)

// goldenStart is when g.schedule's session starts: Thursday 3 December
// 2026, 15:00 in Santiago.
var goldenStart = time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)

// goldenEnd is when it ends (it lasts 90 minutes).
var goldenEnd = goldenStart.Add(90 * time.Minute)

var spanishRenderings = []spanishRendering{
	// Replies to commands.
	{name: "reply/help", render: func(g *goldenBot) string { return g.say("ayuda") }},
	{name: "reply/list_none", render: func(g *goldenBot) string { return g.says("lista", "lista mías", "lista pasadas", "lista todas") }},
	{name: "reply/list", render: func(g *goldenBot) string {
		g.schedule()
		g.say(`nueva "Foro anulado" 2026-12-04 10:00`)
		g.say("cancelar 2")
		return g.says("lista", "lista mías", "lista todas")
	}},
	{name: "reply/show", render: func(g *goldenBot) string { g.schedule(); g.say("unirme 1"); return g.say("ver 1") }},
	{name: "reply/show_cancelled", render: func(g *goldenBot) string {
		g.schedule()
		g.say("cancelar 1 la ponente está enferma")
		return g.say("ver 1")
	}},
	{name: "reply/new", render: func(g *goldenBot) string {
		return g.says(`nueva "Empleo juvenil" 2026-12-03 15:00 90m <#CSALA|sala>`, `nueva "Sin canal" 2026-12-03 15:00 2h`)
	}},
	{name: "reply/new_form_outside_slack", render: func(g *goldenBot) string { return g.say("nueva") }},
	{name: "reply/move", render: func(g *goldenBot) string { g.schedule(); return g.say("mover 1 2026-12-04 16:00 2h") }},
	{name: "reply/cancel", render: func(g *goldenBot) string { g.schedule(); return g.say("cancelar 1") }},
	{name: "reply/speakers", render: func(g *goldenBot) string {
		g.schedule()
		return g.says(`ponentes 1 agregar <@UES3|mateo> "Juana Díaz <juana@example.org>"`, "ponentes 1 agregar <@UES3|mateo>",
			"ponentes 1 quitar <@UES3|mateo>", "ponentes 1 quitar <@UES3|mateo>", "ponentes 1 quitar <@UES2|sofia> \"Juana Díaz <juana@example.org>\"")
	}},
	{name: "reply/join_leave", render: func(g *goldenBot) string {
		g.schedule()
		return g.says("salir 1", "unirme 1", "unirme 1", "salir 1")
	}},
	{name: "reply/edit", render: func(g *goldenBot) string { g.schedule(); return g.say(`editar 1 título:"Empleo juvenil rural"`) }},
	{name: "reply/feed", render: func(g *goldenBot) string { return g.says("calendario", "calendario", "calendario nuevo") }},
	{name: "reply/lessons", render: func(g *goldenBot) string {
		before := g.says("lecciones")
		g.schedule()
		before += "\n---\n" + g.says("lecciones 1")
		g.answer("UES2", "Los equipos espejo dieron credibilidad a la evaluación.", "Empezar antes.")
		return before + "\n---\n" + g.says("lecciones 1", "lecciones", "lecciones evaluación", "lecciones nada-coincide")
	}},
	{name: "reply/report", render: func(g *goldenBot) string {
		before := g.say("informe 2026-12")
		g.schedule()
		g.say("unirme 1")
		g.answer("UES2", "Los equipos espejo.", "Empezar antes.")
		return before + "\n---\n" + g.say("informe 2026-12")
	}},
	{name: "reply/request", render: func(g *goldenBot) string { return g.say(`solicitar "Empleo rural"`) }},
	{name: "reply/internal_error", render: func(g *goldenBot) string {
		g.e.store.Close() // every command now fails inside
		return g.say("lista")
	}},
	{name: "reply/grammar_mistakes", render: func(g *goldenBot) string {
		return g.says(`nueva "Foro" mañana a las`, "mober 1", "ver cero", `nueva "Foro" 31 de febrero 15:00`)
	}},
	{name: "reply/refusals", render: func(g *goldenBot) string {
		g.schedule()
		return g.saysAs("UES3", "mover 1 2026-12-05 10:00", "cancelar 1", "ver 99", `editar 1 enlace:https://a.example@b.example/`, "informe 2026-12")
	}, config: func(c *Config) { c.Staff = []string{"UES"} }},

	// What the bot posts: in the channel of a lang:es session, and by DM
	// to a Spanish reader.
	{name: "post/announcement", kinds: []string{kindAnnounce}, render: func(g *goldenBot) string { return g.posts(g.schedule) }},
	{name: "post/notes_and_updates", kinds: []string{kindThread, kindUpdate}, render: func(g *goldenBot) string {
		g.schedule()
		return g.posts(func() {
			g.say("mover 1 2026-12-04 16:00")
			g.deliver()
			g.say("cancelar 1 la ponente está enferma")
			g.deliver()
		})
	}},
	{name: "post/cancelled_without_reason", render: func(g *goldenBot) string {
		g.schedule()
		return g.posts(func() { g.say("cancelar 1"); g.deliver() })
	}},
	{name: "post/reminders", kinds: []string{kindReminder}, render: func(g *goldenBot) string {
		g.schedule()
		g.saysAs("UES3", "unirme 1")
		return g.posts(func() {
			g.at(goldenStart.Add(-24 * time.Hour))
			g.deliver()
			g.at(goldenStart.Add(-time.Hour))
			g.deliver()
		})
	}},
	{name: "post/prompts_and_walk_through", kinds: []string{kindPrompt}, render: func(g *goldenBot) string {
		g.schedule()
		return g.posts(func() {
			g.at(goldenStart.Add(90*time.Minute + 15*time.Minute))
			g.deliver()
			g.dm("UES2", "Los equipos espejo.")
			g.dm("UES2", "saltar")
			g.dm("UES", "listo")
		})
	}},
	{name: "post/walk_through_two_sessions", render: func(g *goldenBot) string {
		g.schedule()
		g.say(`nueva "Segundo foro" 2026-12-03 16:00 30m <@UES2|sofia> <#CSALA|sala> idioma:es`)
		g.at(goldenStart.Add(90*time.Minute + 15*time.Minute))
		g.deliver()
		return g.posts(func() { g.dm("UES2", "Mucho."); g.dm("UES2", "Nada.") })
	}},
	{name: "post/nudge", kinds: []string{kindNudge}, render: func(g *goldenBot) string {
		g.schedule()
		g.at(goldenStart.Add(90*time.Minute + 15*time.Minute))
		g.deliver()
		return g.posts(func() { g.at(goldenStart.Add(90*time.Minute + 15*time.Minute + 49*time.Hour)); g.deliver() })
	}},
	{name: "post/summary", kinds: []string{kindSummary}, render: func(g *goldenBot) string {
		g.schedule()
		return g.posts(func() { g.answer("UES2", "Los equipos espejo dieron credibilidad.", "Empezar antes."); g.deliver() })
	}, config: func(c *Config) { c.Lessons.Channel = "CLECCIONES" }},
	{name: "post/summary_none", render: func(g *goldenBot) string {
		g.schedule()
		// Step through prompt, nudge and close: jumping to the close at
		// once makes the nudges due beside their prompts, and whether a
		// nudge finds its prompt sent depends on the order of the lanes.
		return g.posts(func() {
			for _, at := range []time.Duration{105 * time.Minute, 105*time.Minute + 48*time.Hour, 90*time.Minute + 169*time.Hour} {
				g.at(goldenStart.Add(at))
				g.deliver()
				g.deliver()
			}
		})
	}, config: func(c *Config) { c.Lessons.Channel = "CLECCIONES" }},
	{name: "post/digest", kinds: []string{kindDigest}, render: func(g *goldenBot) string {
		g.schedule()
		return g.posts(func() { g.digest() })
	}, config: func(c *Config) { c.DigestChannel = "CRESUMEN"; c.Language = string(i18n.Spanish) }},
	{name: "post/digest_none", render: func(g *goldenBot) string { return g.posts(g.digest) },
		config: func(c *Config) { c.DigestChannel = "CRESUMEN"; c.Language = string(i18n.Spanish) }},
	{name: "post/undelivered", kinds: []string{kindUndelivered}, render: func(g *goldenBot) string {
		// Slack refuses the announcement only once it is due: the channel
		// went away after it was scheduled.
		g.say(`nueva "Empleo juvenil" 2026-12-03 15:00 90m <@UES2|sofia> <#CSALA|sala> idioma:es`)
		g.e.slack.FailChannel("CSALA", "channel_not_found")
		return g.posts(func() { g.deliver(); g.deliver() })
	}},
	{name: "post/undelivered_retry", render: func(g *goldenBot) string {
		// The creator presses "Reenviar" on the note once the channel is back.
		g.say(`nueva "Empleo juvenil" 2026-12-03 15:00 90m <@UES2|sofia> <#CSALA|sala> idioma:es`)
		g.e.slack.FailChannel("CSALA", "channel_not_found")
		g.deliver()
		g.deliver()
		value := retryButton(g.t, g.e, "DUES")
		g.e.slack.FixChannel("CSALA")
		return g.posts(func() {
			g.e.interaction(evalPress("UES", "DUES", actionRetry, value))
			g.deliver()
		})
	}},
	{name: "post/undelivered_dm", render: func(g *goldenBot) string {
		g.schedule()
		g.e.slack.FailChannel("DUES2", "cannot_dm_bot")
		return g.posts(func() { g.at(goldenStart.Add(-time.Hour)); g.deliver(); g.deliver() })
	}},

	{name: "post/answer_link", kinds: []string{exchange.KindAnswerLink}, render: func(g *goldenBot) string {
		g.say(`nueva "Empleo juvenil" 2026-12-03 15:00 90m "Juana Díaz <juana@example.org>" <#CSALA|sala> idioma:es`)
		g.deliver()
		return g.posts(func() { g.at(goldenStart.Add(2 * time.Hour)); g.deliver() })
	}},

	{name: "post/speaker_added", kinds: []string{kindSpeakerAdded}, render: func(g *goldenBot) string {
		g.schedule()
		return g.posts(func() { g.say("ponentes 1 agregar <@UES3|mateo>"); g.deliver() })
	}},
	{name: "post/chat_outside_a_walk_through", kinds: []string{exchange.KindReply}, render: func(g *goldenBot) string {
		return g.posts(func() { g.dm("UES", "hola"); g.deliver() })
	}},
	// A request's news and a participant's evaluation DMs, all read by
	// UES (es-CL) in their DM with the bot.
	{name: "post/request_news", kinds: []string{exchange.KindRequestNews}, render: func(g *goldenBot) string {
		g.says(`solicitar "Empleo juvenil rural" socio:"FOSIS Chile" para:<#CSALA|sala>`, `solicitar "Jóvenes en el campo"`,
			`solicitar "Política tributaria"`, `solicitar "Crédito para cooperativas"`)
		return g.dmsOf("UES", func() {
			g.says("solicitudes fusionar 2 1", "solicitudes rechazar 3 no es prioridad este año", "solicitudes rechazar 4",
				"planificar 1 2026-12-03 15:00 90m <@UES2|sofia> idioma:es")
			g.e.settle()
		})
	}},
	{name: "post/evaluation", config: evaluated, kinds: []string{exchange.KindEvaluation}, render: func(g *goldenBot) string {
		g.scheduleAs("UES3") // an organiser is asked for lessons, not ratings
		g.say("unirme 1")
		dms := g.dmsOf("UES", func() { g.evaluate("UES", 4, "Un protocolo de admisión con equipos espejo.") })
		g.e.interaction(evalPress("UES", "DUES", actionPlan, "1")) // the form, to edit the plan
		return dms + "\n---\n" + g.view()
	}},
	{name: "post/evaluation_nudge", config: evaluated, kinds: []string{exchange.KindEvaluationNudge}, render: func(g *goldenBot) string {
		g.scheduleAs("UES3") // an organiser is asked for lessons, not ratings
		g.say("unirme 1")
		g.at(goldenEnd.Add(30 * time.Minute))
		g.e.settle()
		return g.dmsOf("UES", func() { g.at(goldenEnd.Add(30*time.Minute + 48*time.Hour)); g.e.settle() })
	}},
	{name: "post/follow_up", config: evaluated, kinds: []string{exchange.KindFollowUp}, render: func(g *goldenBot) string {
		g.scheduleAs("UES3") // an organiser is asked for lessons, not ratings
		g.say("unirme 1")
		g.evaluate("UES", 4, "Un protocolo de admisión con equipos espejo.")
		dms := g.dmsOf("UES", func() {
			g.at(goldenEnd.Add(2160 * time.Hour))
			g.e.settle()
			g.e.interaction(evalPress("UES", "DUES", actionApplied+store.AppliedPartly, "1:"+store.AppliedPartly))
			g.dm("UES", "La admisión tarda la mitad en dos de las tres oficinas.")
		})
		g.e.interaction(evalPress("UES", "DUES", actionChange, "1")) // the form, to edit what changed
		return dms + "\n---\n" + g.view()
	}},
	{name: "post/follow_up_nudge", config: evaluated, kinds: []string{exchange.KindFollowUpNudge}, render: func(g *goldenBot) string {
		g.scheduleAs("UES3") // an organiser is asked for lessons, not ratings
		g.say("unirme 1")
		g.evaluate("UES", 4, "Un protocolo de admisión con equipos espejo.")
		g.at(goldenEnd.Add(2160 * time.Hour))
		g.e.settle()
		return g.dmsOf("UES", func() { g.at(goldenEnd.Add(2160*time.Hour + 48*time.Hour)); g.e.settle() })
	}},
	{name: "home/app_home", kinds: []string{kindHome}, render: func(g *goldenBot) string {
		g.schedule()
		g.at(goldenStart.Add(2 * time.Hour))
		g.deliver()
		if err := g.e.bot.publishHome(context.Background(), "UES2"); err != nil {
			g.t.Fatal(err)
		}
		b, _ := json.Marshal(g.e.slack.Home("UES2"))
		return blockTexts(string(b))
	}},
	{name: "form/manage", render: func(g *goldenBot) string {
		g.schedule()
		s, err := g.e.store.Session(context.Background(), 1)
		if err != nil {
			g.t.Fatal(err)
		}
		var out []string
		for _, v := range []slack.ModalViewRequest{g.e.bot.editModal(i18n.Spanish, s, "{}"), g.e.bot.moveModal(i18n.Spanish, s, "{}"),
			g.e.bot.cancelModal(i18n.Spanish, s, "{}"), g.e.bot.searchModal(i18n.Spanish, "evaluación", nil, true)} {
			b, _ := json.Marshal(v)
			out = append(out, blockTexts(string(b)))
		}
		return strings.Join(out, "\n---\n")
	}},

	// Forms and what pressing a button answers.
	{name: "form/new_session", render: func(g *goldenBot) string {
		g.e.command("UES", "nueva", "trig-golden-new")
		return g.view()
	}},
	{name: "form/new_session_errors", render: func(g *goldenBot) string {
		_, body := g.e.interaction(viewSubmission("UES", map[string]map[string]any{
			"title": {"value": ""}, "kind": {"selected_option": map[string]any{"value": "webinar"}},
			"tz": {"selected_option": map[string]any{"value": "Marte/Olimpo"}}, "duration": {"selected_option": map[string]any{"value": "1500"}},
		}, `{"channel":"C1"}`))
		return errorsOf(g.t, body)
	}},
	{name: "form/new_session_scheduled", render: func(g *goldenBot) string {
		return g.posts(func() {
			g.e.interaction(viewSubmission("UES", map[string]map[string]any{
				"title": {"value": "Empleo juvenil"}, "kind": {"selected_option": map[string]any{"value": "workshop"}},
				"date": {"selected_date": "2026-12-03"}, "time": {"selected_time": "15:00"},
				"tz": {"selected_option": map[string]any{"value": "America/Santiago"}}, "duration": {"selected_option": map[string]any{"value": "90"}},
			}, `{"channel":"C1"}`))
		})
	}},
	{name: "form/capture", render: func(g *goldenBot) string {
		g.schedule()
		g.at(goldenStart.Add(2 * time.Hour))
		g.deliver()
		g.dm("UES2", "Los equipos espejo.")
		g.e.interaction(blockAction("UES2", "DUES2", "1"))
		return g.view()
	}},
	{name: "form/capture_saved", render: func(g *goldenBot) string {
		g.schedule()
		g.at(goldenStart.Add(2 * time.Hour))
		g.deliver()
		return g.posts(func() {
			g.submitLessons("UES2", "Los equipos espejo.", "Empezar antes.")
			g.deliver()
		})
	}},
	{name: "form/capture_refused", render: func(g *goldenBot) string {
		g.schedule()
		early := g.posts(func() { g.e.interaction(blockAction("UES2", "DUES2", "1")) })
		g.at(goldenStart.Add(2 * time.Hour))
		g.deliver()
		return early + "\n---\n" + g.submitLessons("UES2", "", "") + "\n---\n" + g.posts(func() { g.e.interaction(blockAction("UES3", "DUES3", "1")) })
	}},
	{name: "form/join_button", render: func(g *goldenBot) string {
		g.schedule()
		return g.posts(func() {
			g.e.interaction(joinAction("UES3", "CSALA", "1"))
			g.e.interaction(joinAction("UES3", "CSALA", "1"))
		})
	}},
}

// TestSpanishRenderings renders every row for a Spanish reader: each
// must match its golden file and hold no English catalog passage; and
// every error code exchange has is worded.
func TestSpanishRenderings(t *testing.T) {
	for _, r := range spanishRenderings {
		t.Run(r.name, func(t *testing.T) {
			g := newGoldenBot(t, r.config)
			got := mask(r.render(g))
			if strings.TrimSpace(got) == "" {
				t.Fatal("rendered nothing")
			}
			if foreign := i18ntest.Foreign(i18n.Spanish, got); len(foreign) > 0 {
				t.Errorf("English in a Spanish rendering: %q\n%s", foreign, got)
			}
			g.wentOut(r.kinds)
			golden(t, r.name, got)
		})
	}
	t.Run("error", func(t *testing.T) {
		g := newGoldenBot(t, nil)
		var all []string
		for _, e := range everyError() {
			text := g.e.bot.errorText(i18n.Spanish, e)
			if foreign := i18ntest.Foreign(i18n.Spanish, text); len(foreign) > 0 {
				t.Errorf("%s: English in %q: %q", e.Code, text, foreign)
			}
			all = append(all, e.Code+" "+fmt.Sprint(e.Arg("op"))+": "+text)
		}
		golden(t, "error/all", strings.Join(all, "\n"))
	})
}
