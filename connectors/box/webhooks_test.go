package box_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/firmsync/firmsync/connectors/box"
	"github.com/firmsync/firmsync/connectors/box/boxfake"
	"github.com/firmsync/firmsync/connectors/httpx"
)

func TestWebhookLifecycle(t *testing.T) {
	e := newEnv(t, boxfake.Options{}, nil)
	ctx := context.Background()
	id, _, err := e.c.EnsureFolder(ctx, "0", "Firmsync")
	if err != nil {
		t.Fatal(err)
	}
	triggers := []string{"FILE.UPLOADED", "FOLDER.CREATED"}
	w, err := e.c.CreateWebhook(ctx, id, "https://hooks.firm.example/box", triggers)
	if err != nil {
		t.Fatal(err)
	}
	if w.ID == "" || w.Target.ID != id || w.Target.Type != "folder" || w.Address != "https://hooks.firm.example/box" || len(w.Triggers) != 2 {
		t.Fatalf("created %+v", w)
	}

	_, err = e.c.CreateWebhook(ctx, id, "https://hooks.firm.example/other", triggers)
	var ce *box.ConflictError
	if !errors.As(err, &ce) || ce.Type != "webhook" || ce.ID != w.ID || !errors.Is(err, box.ErrExists) {
		t.Fatalf("duplicate webhook: %v (%+v)", err, ce)
	}
	if _, err := e.c.CreateWebhook(ctx, id, "http://hooks.firm.example:8080/box", triggers); httpx.KindOf(err) != httpx.KindValidation {
		t.Fatalf("insecure address: %v", err)
	}

	list, err := e.c.Webhooks(ctx)
	if err != nil || len(list) != 1 || list[0].ID != w.ID || list[0].Target.ID != id {
		t.Fatalf("Webhooks = %+v, %v", list, err)
	}

	u, err := e.c.UpdateWebhook(ctx, w.ID, "https://hooks2.firm.example/box")
	if err != nil || u.Address != "https://hooks2.firm.example/box" || len(u.Triggers) != 2 {
		t.Fatalf("UpdateWebhook = %+v, %v", u, err)
	}

	if err := e.c.DeleteWebhook(ctx, w.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.c.DeleteWebhook(ctx, w.ID); !errors.Is(err, box.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if list, err := e.c.Webhooks(ctx); err != nil || len(list) != 0 {
		t.Fatalf("Webhooks after delete = %+v, %v", list, err)
	}
}

// TestWebhooksListsAllInOnePage: Box takes limit up to 1000 on
// GET /2.0/webhooks and an app has at most 1000 webhooks per user, so one
// request lists them all. Entries are mini webhooks: the address and
// triggers stay empty.
func TestWebhooksListsAllInOnePage(t *testing.T) {
	e := newEnv(t, boxfake.Options{}, nil)
	ctx := context.Background()
	const n = 205
	hookFolders(t, e, n)
	before := e.c.HTTP().Requests()
	list, err := e.c.Webhooks(ctx)
	if err != nil || len(list) != n {
		t.Fatalf("%d webhooks, %v", len(list), err)
	}
	if got := e.c.HTTP().Requests() - before; got != 1 {
		t.Fatalf("%d requests, want 1 page of up to 1000", got)
	}
	for _, w := range list {
		if w.ID == "" || w.Type != "webhook" || w.Target.Type != "folder" || w.Target.ID == "" || w.Address != "" || w.Triggers != nil {
			t.Fatalf("entry %+v: want a mini webhook (id, type, target)", w)
		}
	}
}

// TestWebhooksFollowsNextMarker: should Box ever answer a shorter page
// than asked (it may lower the limit), the client follows next_marker.
func TestWebhooksFollowsNextMarker(t *testing.T) {
	smaller := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/2.0/webhooks" && r.Method == http.MethodGet {
				q := r.URL.Query()
				q.Set("limit", "50")
				r.URL.RawQuery = q.Encode()
			}
			h.ServeHTTP(w, r)
		})
	}
	e := newEnv(t, boxfake.Options{}, smaller)
	ctx := context.Background()
	const n = 120
	hookFolders(t, e, n)
	before := e.c.HTTP().Requests()
	list, err := e.c.Webhooks(ctx)
	if err != nil || len(list) != n {
		t.Fatalf("%d webhooks, %v", len(list), err)
	}
	if got := e.c.HTTP().Requests() - before; got != 3 {
		t.Fatalf("%d requests, want 3 pages of 50", got)
	}
}

// hookFolders makes n folders, each with a webhook, as an app that watches
// many matters would have.
func hookFolders(t *testing.T, e *env, n int) {
	t.Helper()
	for i := range n {
		f, err := e.fake.CreateFolder("0", fmt.Sprint("matter ", i))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.c.CreateWebhook(context.Background(), f.ID, "https://hooks.firm.example/box", []string{"FILE.UPLOADED"}); err != nil {
			t.Fatal(err)
		}
	}
}
