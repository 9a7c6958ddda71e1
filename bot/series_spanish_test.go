package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/i18n/i18ntest"
)

// seriesSpanish are the series' replies and posts for a Spanish reader,
// as TestSpanishRenderings has them for one session: each compared with
// its golden file and free of English.
var seriesSpanish = []spanishRendering{
	{name: "series/reply/new", render: func(g *goldenBot) string {
		return g.says(`nueva "Comunidad de práctica" 2026-12-03 15:00 90m <#CSALA|sala> cada:mes veces:3`,
			`nueva "Sin canal" 2026-12-03 15:00 cada:semana hasta:2026-12-10`)
	}},
	{name: "series/reply/show_list", render: func(g *goldenBot) string {
		g.scheduleSeries()
		g.say("cancelar 3")
		return g.says("ver 2", "ver 3", "lista")
	}},
	{name: "series/reply/join_leave", render: func(g *goldenBot) string {
		g.scheduleSeries()
		return g.says("unirme 1 todas", "unirme 2 todas", "salir 1 todas", "salir 1 todas")
	}},
	{name: "series/reply/move_cancel", render: func(g *goldenBot) string {
		g.scheduleSeries()
		return g.says("mover 2 todas 2027-01-04 16:00", "cancelar 4 todas terminó el convenio", "cancelar 3 todas")
	}},
	{name: "series/reply/lessons", render: func(g *goldenBot) string {
		g.scheduleSeries()
		return g.say("lecciones 1 todas")
	}},
	{name: "series/reply/mistakes", render: func(g *goldenBot) string {
		g.say(`nueva "Una" 2026-12-03 15:00`)
		return g.says(`nueva "CdP" 2026-12-03 15:00 cada:semana hasta:2026-12-01`, `nueva "CdP" 2026-12-03 15:00 cada:semana hasta:2028-01-01`,
			`nueva "CdP" 2026-12-03 15:00 cada:semana veces:0`, `nueva "CdP" 2026-12-03 15:00 cada:año`, "mover 1 todas 2026-12-04 15:00",
			"unirme 1 todas")
	}},
	{name: "series/post/announcement_notes", kinds: []string{exchange.KindSeriesNote}, render: func(g *goldenBot) string {
		return g.posts(func() {
			g.scheduleSeries()
			g.say("mover 2 todas 2027-01-04 16:00")
			g.deliver()
			g.say("cancelar 4 todas terminó el convenio")
			g.e.clock.Add(exchange.Coalesce)
			g.deliver()
			// A week before the second, its note.
			g.at(time.Date(2026, 12, 28, 19, 0, 0, 0, time.UTC))
			g.deliver()
		})
	}},
}

// scheduleSeries has UES schedule a lang:es monthly series of four from
// goldenStart, UES2 speaking, announced in CSALA, and delivers what is due.
func (g *goldenBot) scheduleSeries() {
	r := g.say(`nueva "Comunidad de práctica" 2026-12-03 15:00 90m <@UES2|sofia> <#CSALA|sala> socio:"FOSIS Chile" idioma:es cada:mes veces:4`)
	if !strings.Contains(r, "#1") {
		g.t.Fatalf("nueva: %s", r)
	}
	g.deliver()
}

func TestSeriesSpanishRenderings(t *testing.T) {
	for _, r := range seriesSpanish {
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
}
