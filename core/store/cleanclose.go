package store

import (
	"encoding/json"
	"fmt"
	"os"
)

// A clean-close stamp lets the next Open skip the expensive part of the
// integrity check. The full check (every key of every bucket read, then
// bbolt's tx.Check) costs about 80 ms on a year's log, on every start of
// every CLI command, while the file it checks is, nearly always, the one
// this program closed cleanly a moment ago. So Close records the file's
// size, modification time and last transaction id next to it; an Open
// that finds all three unchanged only checks the structure it reads
// directly (meta pages, freelist, size against the high-water mark) and
// leaves the rest to the guarded transactions, which turn damage into an
// error, never a panic. A crash, a copy, a restored backup or any write by
// anything else changes at least one of the three, and gets the full check.

// cleanStamp is what Close records.
type cleanStamp struct {
	Size     int64  `json:"size"`
	ModNanos int64  `json:"mod_nanos"`
	TxID     uint64 `json:"txid"`
}

func cleanStampPath(dbPath string) string { return dbPath + ".clean" }

// readCleanStamp returns the stamp for dbPath, if there is one that still
// matches the file's size and modification time (the transaction id is
// compared once the file is open read-only).
func readCleanStamp(dbPath string, fi os.FileInfo) (cleanStamp, bool) {
	b, err := os.ReadFile(cleanStampPath(dbPath))
	if err != nil {
		return cleanStamp{}, false
	}
	var st cleanStamp
	if json.Unmarshal(b, &st) != nil || st.Size != fi.Size() || st.ModNanos != fi.ModTime().UnixNano() {
		return cleanStamp{}, false
	}
	return st, true
}

// writeCleanStamp records dbPath, just closed, with its last transaction.
func writeCleanStamp(dbPath string, txid uint64) error {
	fi, err := os.Stat(dbPath)
	if err != nil {
		return fmt.Errorf("store: stamping a clean close: %w", err)
	}
	b, _ := json.Marshal(cleanStamp{Size: fi.Size(), ModNanos: fi.ModTime().UnixNano(), TxID: txid})
	if err := os.WriteFile(cleanStampPath(dbPath), b, fileMode); err != nil {
		return fmt.Errorf("store: stamping a clean close: %w", err)
	}
	return nil
}

// removeCleanStamp forgets the stamp while the file is open for writing.
// A stamp that cannot be removed is harmless: it only matches a file that
// is still unchanged, and the first write changes it.
func removeCleanStamp(dbPath string) { _ = os.Remove(cleanStampPath(dbPath)) }
