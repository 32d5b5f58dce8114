package core

import (
	"net/url"
	"strings"

	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/core/store"
)

// ObjectLink returns a web link to the object a log record is about, where
// the platform has a page for it, and a label such as "Open the matter in
// Clio". In sandbox mode the link is the sandbox admin API's view of the
// object (the fakes have no web UI). ok is false when there is no page.
func (a *App) ObjectLink(rec store.LogRecord) (label, link string, ok bool) {
	kind, id := objectOf(rec)
	if id == "" {
		return "", "", false
	}
	switch kind {
	case "clio-matter", "clio-contact":
		noun := strings.TrimPrefix(kind, "clio-")
		if a.inSandbox() {
			if noun != "matter" {
				return "", "", false
			}
			return "Show the matter (sandbox)", a.sandboxInfo().Admin + "/clio/matters/" + url.PathEscape(id), true
		}
		region := "us"
		if c, err := a.store.Connection(Clio); err == nil && c.Region != "" {
			region = c.Region
		}
		_, web, err := clio.Hosts(region)
		if err != nil {
			return "", "", false
		}
		return "Open the " + noun + " in Clio", web + "/nc/#/" + noun + "s/" + url.PathEscape(id), true
	case "box-folder", "box-file":
		noun := strings.TrimPrefix(kind, "box-")
		if a.inSandbox() {
			if noun != "folder" {
				return "", "", false
			}
			return "Show the folder (sandbox)", a.sandboxInfo().Admin + "/box/folders/" + url.PathEscape(id), true
		}
		return "Open the " + noun + " in Box", "https://app.box.com/" + noun + "/" + url.PathEscape(id), true
	}
	return "", "", false
}

// objectOf works out which platform object a record is about.
func objectOf(rec store.LogRecord) (kind, id string) {
	action := strings.ToLower(rec.Action)
	switch rec.Platform {
	case Box:
		if rec.ExternalID == "" {
			return "", ""
		}
		if strings.Contains(action, "file") || strings.Contains(action, "upload") {
			return "box-file", rec.ExternalID
		}
		return "box-folder", rec.ExternalID
	case Clio:
		switch {
		case strings.Contains(action, "matter") && rec.ExternalID != "":
			return "clio-matter", rec.ExternalID
		case strings.Contains(action, "contact") && rec.ExternalID != "":
			return "clio-contact", rec.ExternalID
		}
	}
	// Items keyed by a Clio source object link to that object.
	if k, v, ok := strings.Cut(rec.ItemKey, ":"); ok && v != "" {
		switch k {
		case "matter":
			return "clio-matter", v
		case "clio":
			return "clio-contact", v
		}
	}
	return "", ""
}
