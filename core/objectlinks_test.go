package core_test

import (
	"context"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/secrets"
	"github.com/firmsync/firmsync/core/store"
)

func TestObjectLinks(t *testing.T) {
	real, err := core.Open(context.Background(), core.Options{DataDir: t.TempDir(), Secrets: secrets.NewMemory()})
	if err != nil {
		t.Fatal(err)
	}
	defer real.Close()
	if err := real.Store().PutConnection(store.Connection{Platform: "clio", Status: store.ConnConnected, Region: "eu"}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		rec        store.LogRecord
		label, url string
	}{
		{store.LogRecord{Platform: "box", Action: "create folder", ExternalID: "123"}, "Open the folder in Box", "https://app.box.com/folder/123"},
		{store.LogRecord{Platform: "box", Action: "upload file", ExternalID: "9"}, "Open the file in Box", "https://app.box.com/file/9"},
		{store.LogRecord{Platform: "clio", Action: "create matter", ExternalID: "77"}, "Open the matter in Clio", "https://eu.app.clio.com/nc/#/matters/77"},
		{store.LogRecord{Platform: "zoom", Action: "create contact", ExternalID: "clio-5", ItemKey: "clio:5"}, "Open the contact in Clio", "https://eu.app.clio.com/nc/#/contacts/5"},
		{store.LogRecord{Platform: "zoom", Action: "post note", ItemKey: "meeting:abc"}, "", ""},
	}
	for _, c := range cases {
		label, link, ok := real.ObjectLink(c.rec)
		if ok != (c.url != "") || label != c.label || link != c.url {
			t.Errorf("%+v: got %q %q %v; want %q %q", c.rec, label, link, ok, c.label, c.url)
		}
	}
	sb := openSandboxApp(t, t.TempDir(), secrets.NewMemory())
	defer sb.Close()
	_, link, ok := sb.ObjectLink(store.LogRecord{Platform: "box", Action: "create folder", ExternalID: "123"})
	if !ok || !strings.Contains(link, "/_sandbox/box/folders/123") {
		t.Fatalf("sandbox link %q", link)
	}
}
