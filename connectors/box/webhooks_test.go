package box_test

import (
	"context"
	"errors"
	"fmt"
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

func TestWebhooksPages(t *testing.T) {
	e := newEnv(t, boxfake.Options{}, nil)
	ctx := context.Background()
	const n = 205
	for i := range n {
		f, err := e.fake.CreateFolder("0", fmt.Sprint("matter ", i))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.c.CreateWebhook(ctx, f.ID, "https://hooks.firm.example/box", []string{"FILE.UPLOADED"}); err != nil {
			t.Fatal(err)
		}
	}
	before := e.c.HTTP().Requests()
	list, err := e.c.Webhooks(ctx)
	if err != nil || len(list) != n {
		t.Fatalf("%d webhooks, %v", len(list), err)
	}
	if got := e.c.HTTP().Requests() - before; got != 2 {
		t.Fatalf("%d requests, want 2 pages of 200", got)
	}
}
