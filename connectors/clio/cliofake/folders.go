package cliofake

import (
	"net/http"
	"strconv"
	"time"

	"github.com/firmsync/firmsync/connectors/clio"
)

// Clio's document tree: the account has one root folder (root: true); each
// matter has its own documents folder, and so does each contact once
// something is filed under it. A document or folder created with a Matter
// or Contact parent goes into that folder, so every parent Clio answers is
// a Folder (the SPEC types parent as LinkedFolder, type enum ["Folder"]).

func folderTimes(f *clio.Folder) (time.Time, time.Time) { return f.CreatedAt, f.UpdatedAt }

// rootFolderName is the [U] name of the account's root folder.
const rootFolderName = "Documents"

// rootFolderLocked returns the account's root folder, creating it when
// missing (a state restored from an older snapshot has none).
func (s *Server) rootFolderLocked() *clio.Folder {
	if f, ok := s.st.Folders.get(s.st.RootFolder); ok {
		return f
	}
	now := s.now()
	f := &clio.Folder{ID: s.nextIDLocked("folder"), Etag: s.etagLocked(), Type: "Folder", Name: rootFolderName, Root: true,
		CreatedAt: now, UpdatedAt: now}
	s.st.Folders.put(f.ID, f)
	s.st.RootFolder = f.ID
	return f
}

// newFolderLocked stores a folder named name under parent.
func (s *Server) newFolderLocked(name string, parent *clio.Folder, matter *clio.Matter, contact *clio.Contact) *clio.Folder {
	now := s.now()
	f := &clio.Folder{ID: s.nextIDLocked("folder"), Etag: s.etagLocked(), Type: "Folder", Name: name,
		Parent: &clio.Parent{ID: parent.ID, Type: "Folder"}, Matter: matter, Contact: contact, CreatedAt: now, UpdatedAt: now}
	s.st.Folders.put(f.ID, f)
	return f
}

// matterFolderLocked returns m's documents folder (named after its display
// number [U]), creating it when missing. m is the stored record.
func (s *Server) matterFolderLocked(m *clio.Matter) *clio.Folder {
	if m.Folder != nil {
		if f, ok := s.st.Folders.get(m.Folder.ID); ok {
			return f
		}
	}
	f := s.newFolderLocked(m.DisplayNumber, s.rootFolderLocked(), &clio.Matter{ID: m.ID}, nil)
	m.Folder = &clio.Folder{ID: f.ID}
	return f
}

// contactFolderLocked returns c's documents folder, creating it when
// missing: Clio creates a contact folder the first time something is filed
// under the contact.
func (s *Server) contactFolderLocked(c *clio.Contact) *clio.Folder {
	if f, ok := s.st.Folders.get(s.st.ContactFolder[c.ID]); ok {
		return f
	}
	f := s.newFolderLocked(c.Name, s.rootFolderLocked(), nil, &clio.Contact{ID: c.ID})
	s.st.ContactFolder[c.ID] = f.ID
	return f
}

// parentViewLocked renders a stored parent reference as the folder it
// names (LinkedFolder).
func (s *Server) parentViewLocked(p *clio.Parent) *clio.Parent {
	if p == nil {
		return nil
	}
	f, ok := s.st.Folders.get(p.ID)
	if !ok {
		cp := *p
		return &cp
	}
	return &clio.Parent{ID: f.ID, Etag: f.Etag, Type: "Folder", Name: f.Name, Root: f.Root, Locked: f.Locked,
		CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt}
}

// folderViewLocked resolves a folder's parent, matter and contact.
func (s *Server) folderViewLocked(f *clio.Folder) *clio.Folder {
	v := *f
	v.Parent = s.parentViewLocked(f.Parent)
	if f.Matter != nil {
		if m, ok := s.st.Matters.get(f.Matter.ID); ok {
			v.Matter = s.matterViewLocked(m)
		}
	}
	if f.Contact != nil {
		if c, ok := s.st.Contacts.get(f.Contact.ID); ok {
			v.Contact = s.contactViewLocked(c)
		}
	}
	return &v
}

// underLocked reports whether folder id is ancestor, or (with descendants)
// has ancestor somewhere above it.
func (s *Server) underLocked(id, ancestor int64, descendants bool) bool {
	for range 1000 { // a bound against a corrupt (cyclic) restored state
		if id == ancestor {
			return true
		}
		if !descendants {
			return false
		}
		f, ok := s.st.Folders.get(id)
		if !ok || f.Parent == nil {
			return false
		}
		id = f.Parent.ID
	}
	return false
}

// parseScope reads ?scope= (children, the default, or descendants).
func parseScope(w http.ResponseWriter, r *http.Request) (descendants, ok bool) {
	switch r.URL.Query().Get("scope") {
	case "", "children":
		return false, true
	case "descendants":
		return true, true
	}
	badRequest(w, "scope must be children or descendants")
	return false, false
}

// positiveIDs parses the named integer filters; 0 means absent.
func positiveIDs(w http.ResponseWriter, r *http.Request, keys ...string) ([]int64, bool) {
	out := make([]int64, len(keys))
	for i, key := range keys {
		raw := r.URL.Query().Get(key)
		if raw == "" {
			continue
		}
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			// Stricter reading: no record has id 0, so 0 is not "any"; the
			// keyword null is not modelled.
			badRequest(w, key+" must be a positive integer")
			return nil, false
		}
		out[i] = id
	}
	return out, true
}

func (s *Server) listFolders(w http.ResponseWriter, r *http.Request) {
	q, ok := s.parseList(w, r, clio.Folder{})
	if !ok {
		return
	}
	ids, ok := positiveIDs(w, r, "parent_id", "matter_id", "contact_id")
	if !ok {
		return
	}
	descendants, ok := parseScope(w, r)
	if !ok {
		return
	}
	parent, matter, contact := ids[0], ids[1], ids[2]
	var match func(*clio.Folder) bool
	if parent != 0 || matter != 0 || contact != 0 || q.query != "" {
		match = func(f *clio.Folder) bool {
			return (parent == 0 || f.Parent != nil && s.underLocked(f.Parent.ID, parent, descendants)) &&
				(matter == 0 || f.Matter != nil && f.Matter.ID == matter) &&
				(contact == 0 || f.Contact != nil && f.Contact.ID == contact) &&
				(q.query == "" || containsFold(q.query, f.Name))
		}
	}
	s.mu.Lock()
	rep := pageLocked(r, q, &s.st.Folders, folderTimes, match, func(f *clio.Folder) any { return s.folderViewLocked(f) })
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, rep)
}

func (s *Server) getFolder(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.serveUnhandled(w, r)
		return
	}
	p, ok := s.fieldsPlan(w, r, clio.Folder{})
	if !ok {
		return
	}
	s.mu.Lock()
	f, found := s.st.Folders.get(id)
	var rep recordReply
	if found {
		rep = recordReply{etag: f.Etag, updated: f.UpdatedAt, data: p.one(s.folderViewLocked(f))}
	}
	s.mu.Unlock()
	if !found {
		notFound(w)
		return
	}
	writeRecord(w, r, rep)
}

func (s *Server) createFolder(w http.ResponseWriter, r *http.Request) {
	p, ok := s.fieldsPlan(w, r, clio.Folder{})
	if !ok {
		return
	}
	var in clio.FolderWrite
	if err := decodeData(r, &in); err != nil {
		writeErr(w, err)
		return
	}
	s.mu.Lock()
	defer s.unlockAndFlush()
	if in.Name == "" {
		writeErr(w, write422("name can't be blank"))
		return
	}
	if in.Parent != nil && in.Parent.Type == "Document" {
		writeErr(w, write422("parent type must be Folder, Contact or Matter"))
		return
	}
	parent, matter, contact, err := s.resolveParentLocked(in.Parent)
	if err != nil {
		writeErr(w, err)
		return
	}
	pf, _ := s.st.Folders.get(parent.ID)
	f := s.newFolderLocked(in.Name, pf, matter, contact)
	view := s.folderViewLocked(f)
	s.emitLocked("folder", "created", f.ID, view)
	writeRecord(w, r, recordReply{status: http.StatusCreated, etag: f.Etag, updated: f.UpdatedAt, data: p.one(view)})
}
