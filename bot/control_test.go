package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/exchangebot/exchangebot/store"
)

// A speaker may steer the DM walk-through in Spanish whatever their
// locale: "¡Saltar!" skips and "listo" stops, and neither is kept as a
// lesson.
func TestDMControlWordsInSpanish(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Lessons.Questions = threeQuestions })
	promptedSession(t, e)

	e.event(dm(t, "EvS1", "DUA", "UA", "¡Saltar!"))
	e.deliver()
	replies := e.postsTo("DUA")
	if last := replies[len(replies)-1]; !strings.Contains(last, "Skipped.") {
		t.Fatalf("reply to saltar = %q", last)
	}
	e.event(dm(t, "EvS2", "DUA", "UA", "Paso a paso, con el registro."))
	e.event(dm(t, "EvS3", "DUA", "UA", "listo"))
	e.deliver()
	replies = e.postsTo("DUA")
	if last := replies[len(replies)-1]; !strings.Contains(last, "Stopped. I kept the 1 answer you gave for #1") {
		t.Errorf("reply to listo = %q", last)
	}
	if s := e.promptState(1, "UA"); s != store.PromptStopped {
		t.Errorf("prompt after listo is %s", s)
	}
	lessons, err := e.store.Lessons(context.Background(), 1)
	if err != nil || len(lessons) != 1 || lessons[0].Answer != "Paso a paso, con el registro." || lessons[0].Question != threeQuestions[1] {
		t.Fatalf("lessons = %+v, %v; want only the answer to the second question", lessons, err)
	}
}

// Spanish subcommands reach their handlers. A mistyped one is helped.
func TestSpanishCommandsReachTheDispatcher(t *testing.T) {
	e := newTestBot(t)
	if got := e.run("U1", `solicitar "Evaluación de impacto"`); !strings.Contains(got, "*#1* “Evaluación de impacto”") {
		t.Errorf("solicitar = %q", got)
	}
	// edit is served: it reaches its handler, which looks for the session.
	if got := e.run("U1", `editar 12 título:"Otro"`); !strings.Contains(got, "There is no session #12") {
		t.Errorf("editar = %q", got)
	}
	if got := e.run("U1", "lsita"); !strings.Contains(got, "Did you mean `lista`?") {
		t.Errorf("lsita = %q", got)
	}
	if got := e.run("U1", "lista mías"); strings.Contains(got, "Unknown") || strings.Contains(got, "does not take") {
		t.Errorf("lista mías = %q", got)
	}
}
