package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/firmsync/firmsync/connectors/httpx"
	"github.com/firmsync/firmsync/core/secrets"
)

// RefreshAhead is how long before expiry a token is refreshed.
const RefreshAhead = 5 * time.Minute

// Source hands out a platform's access token, refreshing it ahead of
// expiry. It follows rclone's oauthutil discipline: refreshes are
// single-flight under a mutex, the keychain is re-read first (another
// process may already have rotated the token), and a new token is saved
// before it is used, so a rotated refresh token is never lost in memory.
type Source struct {
	p       Provider
	creds   Credentials
	store   secrets.Store
	hc      *http.Client
	now     func() time.Time
	onFatal func(error) // called once a refresh proves the connection dead

	mu  sync.Mutex    // serialises loads and refreshes; guards cur
	cur *oauth2.Token // last token loaded or saved

	// afterSave is a test hook: called after a refreshed token was saved
	// and before it is used ("crash here").
	afterSave func()
}

// SourceOptions configures NewSource.
type SourceOptions struct {
	HTTPClient *http.Client     // for the token endpoint; nil: default
	Now        func() time.Time // nil: time.Now
	// OnFatal is called when the platform refuses the refresh token (the
	// connection needs the user to reconnect).
	OnFatal func(error)
	// AfterSave is a test hook between save and use.
	AfterSave func()
}

// NewSource returns a token source for p whose token lives in store under
// TokenKey(p.Platform).
func NewSource(p Provider, c Credentials, store secrets.Store, o SourceOptions) *Source {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Source{p: p, creds: c, store: store, hc: o.HTTPClient, now: o.Now, onFatal: o.OnFatal, afterSave: o.AfterSave}
}

// TokenKey is the keychain key of a platform's token.
func TokenKey(platform string) string { return secrets.Key(platform, "token") }

// SaveToken writes t to the keychain compactly.
func SaveToken(ctx context.Context, store secrets.Store, platform string, t *oauth2.Token) error {
	s, err := secrets.EncodeToken(secrets.Token{Access: t.AccessToken, Refresh: t.RefreshToken, Type: t.TokenType, Expiry: t.Expiry})
	if err != nil {
		return err
	}
	if err := store.Set(ctx, TokenKey(platform), s); err != nil {
		return fmt.Errorf("saving the %s token: %w", platform, err)
	}
	return nil
}

// LoadToken reads a platform's token from the keychain.
func LoadToken(ctx context.Context, store secrets.Store, platform string) (*oauth2.Token, error) {
	s, err := store.Get(ctx, TokenKey(platform))
	if err != nil {
		if errors.Is(err, secrets.ErrNotFound) {
			return nil, fmt.Errorf("%s is not connected: %w", platform, httpx.ErrReconnect)
		}
		return nil, err
	}
	t, err := secrets.DecodeToken(s)
	if err != nil {
		return nil, err
	}
	return &oauth2.Token{AccessToken: t.Access, RefreshToken: t.Refresh, TokenType: t.Type, Expiry: t.Expiry}, nil
}

// Token implements httpx.Authorizer: a token valid for at least
// RefreshAhead, refreshed first when needed.
func (s *Source) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil || !s.freshLocked(s.cur) {
		if err := s.loadLocked(ctx); err != nil {
			return "", err
		}
	}
	if s.freshLocked(s.cur) {
		return s.cur.AccessToken, nil
	}
	if err := s.refreshLocked(ctx); err != nil {
		return "", err
	}
	return s.cur.AccessToken, nil
}

// Refresh implements httpx.Authorizer: after the platform refused
// `refused`, get a new token, unless another caller already did.
func (s *Source) Refresh(ctx context.Context, refused string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.loadLocked(ctx); err != nil {
		return "", err
	}
	if s.cur.AccessToken != refused && s.freshLocked(s.cur) {
		return s.cur.AccessToken, nil // someone refreshed while we waited
	}
	if err := s.refreshLocked(ctx); err != nil {
		return "", err
	}
	return s.cur.AccessToken, nil
}

// Expiry is the current token's expiry (zero when it never expires).
func (s *Source) Expiry(ctx context.Context) (time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil {
		if err := s.loadLocked(ctx); err != nil {
			return time.Time{}, err
		}
	}
	return s.cur.Expiry, nil
}

func (s *Source) freshLocked(t *oauth2.Token) bool {
	if t == nil || t.AccessToken == "" {
		return false
	}
	if t.Expiry.IsZero() {
		return true
	}
	return s.now().Add(RefreshAhead).Before(t.Expiry)
}

// loadLocked re-reads the keychain: another process (the GUI while a CLI
// sync runs) may have rotated the token.
func (s *Source) loadLocked(ctx context.Context) error {
	t, err := LoadToken(ctx, s.store, s.p.Platform)
	if err != nil {
		return err
	}
	s.cur = t
	return nil
}

func (s *Source) refreshLocked(ctx context.Context) error {
	if s.p.Refresh == RefreshNone || s.cur.RefreshToken == "" {
		err := fmt.Errorf("%s: the access token was refused and cannot be refreshed: %w", s.p.Platform, httpx.ErrReconnect)
		s.fatal(err)
		return err
	}
	if s.hc != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, s.hc)
	}
	cfg := s.p.config(s.creds, "")
	// Force the refresh: the old token may look valid to oauth2 but have
	// been refused by the platform.
	old := &oauth2.Token{RefreshToken: s.cur.RefreshToken, Expiry: time.Unix(1, 0)}
	nt, err := cfg.TokenSource(ctx, old).Token()
	if err != nil {
		err = fmt.Errorf("refreshing the %s token: %w", s.p.Platform, describeOAuthError(err))
		if httpx.IsReconnect(err) {
			s.fatal(err)
		}
		return err
	}
	if nt.RefreshToken == "" {
		nt.RefreshToken = s.cur.RefreshToken // Clio keeps its refresh token
	}
	// Save before use: for rotating platforms the old refresh token is
	// already dead, so the new pair must reach the keychain first.
	if err := SaveToken(ctx, s.store, s.p.Platform, nt); err != nil {
		s.cur = nt // keep it in memory at least; the next refresh retries the save
		return fmt.Errorf("%s token refreshed but could not be saved: %w", s.p.Platform, err)
	}
	s.cur = nt
	if s.afterSave != nil {
		s.afterSave()
	}
	return nil
}

func (s *Source) fatal(err error) {
	if s.onFatal != nil {
		s.onFatal(err)
	}
}

var _ httpx.Authorizer = (*Source)(nil)
