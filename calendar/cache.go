// The rendered-feed cache and its stampede protection: one render per
// feed in flight, at most maxRenders at once, shared by all who wait.

package calendar

import (
	"context"
	"fmt"
	"time"
)

// cacheSize and cacheBytes bound the rendered feeds kept: all.ics, the
// active personal feeds and the session feeds being shared at the moment.
// All.ics of 10,000 sessions is about 9 MB.
const (
	cacheSize  = 256
	cacheBytes = 64 << 20
)

// maxRenders bounds the feeds rendered at once, whatever their keys, so
// memory stays bounded when many people's personal feeds miss together.
// renderTimeout bounds one render, which no request can cancel.
const (
	maxRenders    = 2
	renderTimeout = time.Minute
)

// entry is one rendered feed.
type entry struct {
	key     string
	version int64
	day     int64
	body    []byte
}

// buildFunc renders a feed whose windows start at from and cancelledSince.
type buildFunc func(ctx context.Context, from, cancelledSince time.Time) ([]byte, error)

// flight is a render in progress; done closes when body or err is set.
type flight struct {
	version, day int64
	done         chan struct{}
	body         []byte
	err          error
}

// body returns key's bytes for st: cached, else from the render of key in
// flight, else from a new one. One render per feed is in flight at a time,
// and at most maxRenders in all, so a burst of requests right after a
// change waits for one render and shares its bytes instead of each
// rendering a copy: 200 at once used to take 5 GB.
func (h *Handler) body(ctx context.Context, key string, st *stamp, build buildFunc) ([]byte, error) {
	for {
		h.mu.Lock()
		if b := h.cachedLocked(key, st); b != nil {
			h.mu.Unlock()
			return b, nil
		}
		f := h.flights[key]
		if f == nil {
			f = &flight{version: st.version, day: st.day, done: make(chan struct{})}
			h.flights[key] = f
			go h.fly(key, f, build)
		}
		h.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			// The render carries on for the others waiting and the cache.
			return nil, ctx.Err()
		}
		if f.version < st.version || f.day < st.day {
			continue // that render began before the change this request saw
		}
		return f.body, f.err
	}
}

// fly renders key for f, detached from any one request: the client that
// happened to arrive first hanging up must not fail everyone waiting.
func (h *Handler) fly(key string, f *flight, build buildFunc) {
	h.slots <- struct{}{}
	defer func() { <-h.slots }()
	defer func() {
		if p := recover(); p != nil {
			f.body, f.err = nil, fmt.Errorf("calendar: render of %s panicked: %v", key, p)
		}
		h.mu.Lock()
		delete(h.flights, key)
		if f.err == nil {
			h.putLocked(&entry{key: key, version: f.version, day: f.day, body: f.body})
		}
		h.mu.Unlock()
		close(f.done)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), renderTimeout)
	defer cancel()
	h.renders.Add(1)
	// Windows start at midnight so the bytes depend on the day only,
	// matching the stamp.
	dayStart := time.Unix(f.day*int64(day/time.Second), 0).UTC()
	f.body, f.err = build(ctx, dayStart.Add(-pastWindow), dayStart.Add(-cancelledWindow))
}

func (h *Handler) cachedLocked(key string, st *stamp) []byte {
	el, ok := h.byKey[key]
	if !ok {
		return nil
	}
	e := el.Value.(*entry)
	if e.version != st.version || e.day != st.day {
		return nil
	}
	h.lru.MoveToFront(el)
	return e.body
}

// putLocked files e under its key, replacing an older version, and evicts
// the least recently used feeds beyond cacheSize entries or cacheBytes.
func (h *Handler) putLocked(e *entry) {
	if el, ok := h.byKey[e.key]; ok {
		old := el.Value.(*entry)
		// A slow render of an older version must not replace a newer one.
		if old.version > e.version || old.day > e.day {
			return
		}
		h.bytes += len(e.body) - len(old.body)
		el.Value = e
		h.lru.MoveToFront(el)
	} else {
		h.byKey[e.key] = h.lru.PushFront(e)
		h.bytes += len(e.body)
	}
	for h.lru.Len() > cacheSize || (h.bytes > cacheBytes && h.lru.Len() > 1) {
		last := h.lru.Back()
		h.lru.Remove(last)
		old := last.Value.(*entry)
		delete(h.byKey, old.key)
		h.bytes -= len(old.body)
	}
}
