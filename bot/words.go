package bot

// The grammar's keywords in English and Spanish. Both languages are read
// whatever the reader's language, so the tables map every spelling to the
// English name the rest of the bot uses. Keys are compared after
// foldWord: lower case, without accents or a final dot.

// commandWords maps a subcommand as typed to its name.
var commandWords = map[string]string{
	"help": "help", "ayuda": "help",
	"new": "new", "nueva": "new", "nuevo": "new",
	"list": "list", "lista": "list", "listar": "list",
	"show": "show", "ver": "show",
	"move": "move", "mover": "move",
	"cancel": "cancel", "cancelar": "cancel",
	"edit": "edit", "editar": "edit",
	"speakers": "speakers", "ponentes": "speakers",
	"join": "join", "unirme": "join",
	"leave": "leave", "salir": "leave",
	"feed": "feed", "calendario": "feed",
	"lessons": "lessons", "lecciones": "lessons",
	"report": "report", "informe": "report",
	"request": "request", "solicitar": "request",
	"requests": "requests", "solicitudes": "requests",
	"plan": "plan", "planificar": "plan",
}

// suggestions are the spellings "did you mean" offers, in a fixed order
// so that a tie always gets the same answer.
var suggestions = []string{
	"help", "new", "list", "show", "move", "cancel", "edit", "speakers", "join", "leave",
	"feed", "lessons", "report", "request", "requests", "plan",
	"ayuda", "nueva", "lista", "ver", "mover", "cancelar", "editar", "ponentes", "unirme",
	"salir", "calendario", "lecciones", "informe", "solicitar", "solicitudes", "planificar",
}

// suggest returns the subcommand closest to w, or "" when none is close
// enough to be what was meant: one edit for short words, two for longer.
func suggest(w string) string {
	if w == "" {
		return ""
	}
	limit := 1
	if len(w) > 4 {
		limit = 2
	}
	best, bestD := "", limit+1
	for _, s := range suggestions {
		if d := editDistance(w, s, limit); d < bestD {
			best, bestD = s, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b
// (insertions, deletions, substitutions and swaps of neighbours), or
// limit+1 once it is sure to exceed limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	// Three rows: the one before last is needed for swaps.
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(rb)], limit+1)
}

// The words that commands taking one word from a fixed set accept.
var (
	pageWords      = map[string]bool{"page": true, "pagina": true, "pag": true}
	listScopes     = map[string]string{"mine": "mine", "mias": "mine", "past": "past", "pasadas": "past", "all": "all", "todas": "all"}
	feedActions    = map[string]string{"reset": "reset", "nuevo": "reset", "reiniciar": "reset", "renovar": "reset"}
	requestScopes  = map[string]string{"open": "open", "abiertas": "open", "all": "all", "todas": "all"}
	speakerActions = map[string]string{"add": "add", "agregar": "add", "anadir": "add",
		"remove": "remove", "quitar": "remove", "eliminar": "remove", "sacar": "remove"}
)

// keyWords maps a key as typed (before the colon) to its name.
var keyWords = map[string]string{
	"tz":   "tz",
	"kind": "kind", "tipo": "kind",
	"link": "link", "enlace": "link",
	"partner": "partner", "socio": "partner",
	"lang": "lang", "idioma": "lang",
	"title": "title", "titulo": "title",
	"description": "description", "descripcion": "description",
	"for": "for", "para": "for",
	"every": "every", "cada": "every",
	"until": "until", "hasta": "until",
	"count": "count", "veces": "count",
}

// keyValues are the values that examples of each key show, after the key
// as it was typed: `tipo:webinar`.
var keyValues = map[string]string{
	"tz":          "America/Santiago",
	"kind":        "webinar",
	"link":        "https://meet.example.org/abc",
	"partner":     `"FISDL El Salvador"`,
	"lang":        "es",
	"title":       `"…"`,
	"description": `"…"`,
	"for":         "#general",
	"every":       "month",
	"until":       "2026-12-15",
	"count":       "6",
}

// typedKeyValues are the example values of keys whose values differ by
// language, by the key as typed.
var typedKeyValues = map[string]string{"cada": "mes"}

var kindWords = map[string]string{
	"webinar":  "webinar",
	"exchange": "exchange", "intercambio": "exchange",
	"workshop": "workshop", "taller": "workshop",
}

var langWords = map[string]string{
	"es": "es", "espanol": "es", "spanish": "es",
	"en": "en", "ingles": "en", "english": "en",
}
