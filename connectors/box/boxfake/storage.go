package boxfake

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// errTooLarge reports a body longer than the caller's limit.
var errTooLarge = errors.New("content too large")

// storage returns the directory holding file contents and upload parts,
// making a temporary one on first use when Options.StorageDir is empty.
func (s *Server) storage() (string, error) {
	s.storeOnce.Do(func() {
		if s.opts.StorageDir != "" {
			s.storeDir = s.opts.StorageDir
			s.storeErr = os.MkdirAll(s.storeDir, 0o700)
			return
		}
		s.storeDir, s.storeErr = os.MkdirTemp("", "boxfake-")
		s.ownsDir = s.storeErr == nil
	})
	if s.storeErr != nil {
		return "", fmt.Errorf("boxfake: storage dir: %w", s.storeErr)
	}
	return s.storeDir, nil
}

// blobPath is the path of a stored blob (a base name inside the storage dir).
func (s *Server) blobPath(name string) (string, error) {
	dir, err := s.storage()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, filepath.Base(name)), nil
}

// writeBlob streams r into a new blob, hashing as it goes. With limit > 0, a
// body longer than limit fails with errTooLarge. It returns the blob name,
// size and hex SHA-1. On error no blob is left behind.
func (s *Server) writeBlob(r io.Reader, limit int64) (name string, size int64, sum string, err error) {
	dir, err := s.storage()
	if err != nil {
		return "", 0, "", err
	}
	f, err := os.CreateTemp(dir, "blob-")
	if err != nil {
		return "", 0, "", fmt.Errorf("boxfake: create blob: %w", err)
	}
	h := sha1.New()
	src := r
	if limit > 0 {
		src = io.LimitReader(r, limit+1)
	}
	size, err = io.Copy(io.MultiWriter(f, h), src)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && limit > 0 && size > limit {
		err = errTooLarge
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return "", 0, "", fmt.Errorf("boxfake: write blob: %w", err)
	}
	return filepath.Base(f.Name()), size, hex.EncodeToString(h.Sum(nil)), nil
}

// removeBlob deletes a blob, ignoring a missing one.
func (s *Server) removeBlob(name string) {
	if name == "" {
		return
	}
	if p, err := s.blobPath(name); err == nil {
		_ = os.Remove(p)
	}
}

// concatBlobs joins blobs in order into a new blob and returns it with its
// hex SHA-1 and the raw digest.
func (s *Server) concatBlobs(names []string) (string, int64, string, error) {
	readers := make([]io.Reader, 0, len(names))
	var files []*os.File
	defer func() {
		for _, f := range files {
			_ = f.Close()
		}
	}()
	for _, n := range names {
		p, err := s.blobPath(n)
		if err != nil {
			return "", 0, "", err
		}
		f, err := os.Open(p)
		if err != nil {
			return "", 0, "", fmt.Errorf("boxfake: open part: %w", err)
		}
		files = append(files, f)
		readers = append(readers, f)
	}
	return s.writeBlob(io.MultiReader(readers...), 0)
}
