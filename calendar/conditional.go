// Conditional requests: the validators (ETag, Last-Modified) a feed is
// stamped with, and the If-None-Match / If-Modified-Since checks.

package calendar

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// stamp identifies what a feed's bytes depend on: the store's feed version
// and the UTC day, since the windows move daily even when nothing changes.
// Its header values are built once per version so requests only share them.
type stamp struct {
	version  int64
	day      int64 // days since the Unix epoch
	etag     string
	etagHdr  []string
	modified time.Time
	modHdr   []string
}

// current returns the validators for now. The read of the store's version
// comes before any session is loaded, so bytes rendered afterwards are at
// least as new as the stamp they are filed under; a later change gives a
// newer version and so a re-render, never a stale 304.
func (h *Handler) current(ctx context.Context) (*stamp, error) {
	version, changed, err := h.st.FeedVersion(uncancelled(ctx))
	if err != nil {
		return nil, err
	}
	dayStart := h.now().UTC().Truncate(day)
	d := dayStart.Unix() / int64(day/time.Second)
	h.mu.Lock()
	defer h.mu.Unlock()
	if s := h.stamp; s != nil && s.version == version && s.day == d {
		return s, nil
	}
	// The windows move at midnight UTC without a store change.
	modified := changed
	if dayStart.After(modified) {
		modified = dayStart
	}
	etag := `"` + strconv.FormatInt(version, 10) + "-" + strconv.FormatInt(d, 10) + "-" + h.salt + `"`
	s := &stamp{
		version:  version,
		day:      d,
		etag:     etag,
		etagHdr:  []string{etag},
		modified: modified,
		modHdr:   []string{modified.Format(http.TimeFormat)},
	}
	h.stamp = s
	return s, nil
}

// notModified applies RFC 9110 13.2.2: If-None-Match decides when present,
// and If-Modified-Since is looked at only without it.
func notModified(r *http.Request, st *stamp) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return etagMatch(inm, st.etag)
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" {
		return false
	}
	t, err := http.ParseTime(ims)
	if err != nil {
		return false
	}
	return !st.modified.Truncate(time.Second).After(t)
}

// etagMatch is the weak comparison If-None-Match calls for, over a list.
func etagMatch(header, etag string) bool {
	for header != "" {
		var tag string
		tag, header, _ = strings.Cut(header, ",")
		tag = strings.TrimSpace(tag)
		if tag == "*" || strings.TrimPrefix(tag, "W/") == etag {
			return true
		}
	}
	return false
}
