package boxfake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/firmsync/firmsync/connectors/box"
)

// ErrNotFound is returned by admin methods for an unknown or trashed item.
var ErrNotFound = errors.New("boxfake: item not found")

// ErrNameInUse is returned by admin methods when the name is taken in the parent.
var ErrNameInUse = errors.New("boxfake: item name in use")

// ErrNameInvalid is returned by admin methods for a name Box refuses.
var ErrNameInvalid = errors.New("boxfake: item name invalid")

// IssueToken returns a fresh access token (60 min) and refresh token (60 days,
// single use) for the registered app, as if the user had just connected.
func (s *Server) IssueToken() Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issueLocked()
}

// RevokeTokens kills every access and refresh token (a user revoked access).
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.st.Access)
	clear(s.st.Refresh)
}

// ExpireTokens makes every access token expire now; refresh tokens still work.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for _, a := range s.st.Access {
		a.ExpiresAt = now.Add(-1)
	}
}

// User returns the account's user (GET /2.0/users/me).
func (s *Server) User() box.User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.User
}

// SetUser replaces the account's user; Type defaults to "user".
func (s *Server) SetUser(u box.User) {
	if u.Type == "" {
		u.Type = "user"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.User = u
}

// SignatureKeys returns the app's webhook signature keys.
func (s *Server) SignatureKeys() (primary, secondary string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.PrimaryKey, s.st.SecondaryKey
}

// RotateSignatureKeys regenerates the primary key, as "Reset primary key" in
// the Developer Console does; the secondary key is kept, so a receiver that
// accepts either signature keeps verifying while it updates. It returns the
// new keys.
func (s *Server) RotateSignatureKeys() (primary, secondary string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.PrimaryKey = randomString(32)
	return s.st.PrimaryKey, s.st.SecondaryKey
}

// SetSignatureKeys sets both webhook signature keys.
func (s *Server) SetSignatureKeys(primary, secondary string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.PrimaryKey, s.st.SecondaryKey = primary, secondary
}

func (s *Server) liveLocked(id string) (*item, error) {
	it, ok := s.st.Items[id]
	if !ok || it.TrashedAt != nil {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	return it, nil
}

// Folder returns a live folder and its live items (folders first, then files,
// by name), for assertions.
func (s *Server) Folder(id string) (box.Folder, []box.Item, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, err := s.liveLocked(id)
	if err != nil || it.Type != "folder" {
		return box.Folder{}, nil, fmt.Errorf("%w: folder %s", ErrNotFound, id)
	}
	items := []box.Item{}
	for _, c := range s.childrenLocked(id, "name", false) {
		m := s.miniLocked(c)
		if c.Type == "file" {
			m.Size = ptr(c.Size)
		}
		if c.Description != "" {
			m.Description = ptr(c.Description)
		}
		items = append(items, m)
	}
	return s.folderLocked(it, false), items, nil
}

// CreateFolder makes a folder as a user would in the web app, firing
// FOLDER.CREATED.
func (s *Server) CreateFolder(parentID, name string) (box.Folder, error) {
	if validateName(name) != "" {
		return box.Folder{}, fmt.Errorf("%w: %q", ErrNameInvalid, name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	parent, err := s.liveLocked(parentID)
	if err != nil || parent.Type != "folder" {
		return box.Folder{}, fmt.Errorf("%w: folder %s", ErrNotFound, parentID)
	}
	it, clash := s.createFolderLocked(parent, name)
	if clash != nil {
		return box.Folder{}, fmt.Errorf("%w: %q is %s %s", ErrNameInUse, name, clash.Type, clash.ID)
	}
	return s.folderLocked(it, false), nil
}

// UploadFile adds a file as a user would in the web app, firing FILE.UPLOADED.
func (s *Server) UploadFile(parentID, name string, content []byte) (box.File, error) {
	if validateName(name) != "" {
		return box.File{}, fmt.Errorf("%w: %q", ErrNameInvalid, name)
	}
	blob, size, sum, err := s.writeBlob(bytes.NewReader(content), 0)
	if err != nil {
		return box.File{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	parent, err := s.liveLocked(parentID)
	if err != nil || parent.Type != "folder" {
		s.removeBlob(blob)
		return box.File{}, fmt.Errorf("%w: folder %s", ErrNotFound, parentID)
	}
	if c := s.conflictLocked(parentID, name, ""); c != nil {
		s.removeBlob(blob)
		return box.File{}, fmt.Errorf("%w: %q is %s %s", ErrNameInUse, name, c.Type, c.ID)
	}
	it := s.upsertFileLocked(parent, nil, name, blob, size, sum, nil)
	return s.fileLocked(it), nil
}

// DeleteItem moves a folder (with everything under it) or a file to the
// trash, as a user deleting it in the web app, firing FOLDER.TRASHED or
// FILE.TRASHED. Afterwards the API answers 404 trashed for it.
func (s *Server) DeleteItem(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, err := s.liveLocked(id)
	if err != nil {
		return err
	}
	if it.ID == "0" {
		return errors.New("boxfake: the root folder cannot be deleted")
	}
	s.trashLocked(it)
	return nil
}

// RenameFolder renames a folder as a user would, firing FOLDER.RENAMED.
func (s *Server) RenameFolder(id, name string) error {
	if validateName(name) != "" {
		return fmt.Errorf("%w: %q", ErrNameInvalid, name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it, err := s.liveLocked(id)
	if err != nil || it.Type != "folder" || it.ID == "0" {
		return fmt.Errorf("%w: folder %s", ErrNotFound, id)
	}
	if c := s.conflictLocked(it.ParentID, name, it.ID); c != nil {
		return fmt.Errorf("%w: %q is %s %s", ErrNameInUse, name, c.Type, c.ID)
	}
	if it.Name == name {
		return nil
	}
	it.Name = name
	it.Etag++
	it.ModifiedAt = s.stamp()
	s.fireLocked("FOLDER.RENAMED", it, nil)
	return nil
}

// Files returns every live file, ordered by id.
func (s *Server) Files() []box.File {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []box.File
	for _, it := range s.st.Items {
		if it.Type == "file" && it.TrashedAt == nil {
			out = append(out, s.fileLocked(it))
		}
	}
	slices.SortFunc(out, func(a, b box.File) int { return cmpID(a.ID, b.ID) })
	return out
}

// FileContent returns a live file's current bytes. Meant for assertions on
// modest files; it reads the whole content into memory.
func (s *Server) FileContent(id string) ([]byte, error) {
	s.mu.Lock()
	it, err := s.liveLocked(id)
	var blob string
	if err == nil {
		if it.Type != "file" {
			err = fmt.Errorf("%w: file %s", ErrNotFound, id)
		}
		blob = it.Blob
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	p, err := s.blobPath(blob)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("boxfake: read content of %s: %w", id, err)
	}
	return b, nil
}

// Snapshot returns the whole state (items, tokens, upload sessions, webhooks,
// signature keys, id counters) as JSON. File contents stay in the storage
// directory and are referenced by name, so set Options.StorageDir to a
// lasting directory when the snapshot must outlive the process.
func (s *Server) Snapshot() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := json.Marshal(s.st)
	if err != nil {
		return nil, fmt.Errorf("boxfake: snapshot: %w", err)
	}
	return b, nil
}

// Restore replaces the state with one from Snapshot.
func (s *Server) Restore(b []byte) error {
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("boxfake: restore: %w", err)
	}
	if st.Items["0"] == nil {
		return errors.New("boxfake: restore: snapshot has no root folder")
	}
	if st.Access == nil {
		st.Access = map[string]*accessToken{}
	}
	if st.Refresh == nil {
		st.Refresh = map[string]*refreshToken{}
	}
	if st.Sessions == nil {
		st.Sessions = map[string]*session{}
	}
	if st.Webhooks == nil {
		st.Webhooks = map[string]*webhook{}
	}
	for _, ss := range st.Sessions {
		if ss.Parts == nil {
			ss.Parts = map[int64]*part{}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st = st
	return nil
}
