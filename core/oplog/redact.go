package oplog

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
)

// Redacted replaces every secret value that reaches the log.
const Redacted = "[REDACTED]"

// Redactor is a slog.Handler that hides secrets before the wrapped handler
// sees them: attributes whose key names a secret lose their value, and
// secret-looking fragments inside any string (bearer tokens, token= query
// parameters, JSON token fields) are masked. Both checks exist because a
// token can arrive under an innocent key, e.g. inside an error message.
type Redactor struct {
	next slog.Handler
}

// NewRedactor wraps next.
func NewRedactor(next slog.Handler) *Redactor { return &Redactor{next: next} }

// Enabled implements slog.Handler.
func (r *Redactor) Enabled(ctx context.Context, l slog.Level) bool { return r.next.Enabled(ctx, l) }

// Handle implements slog.Handler.
func (r *Redactor) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, RedactString(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return r.next.Handle(ctx, out)
}

// WithAttrs implements slog.Handler.
func (r *Redactor) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = redactAttr(a)
	}
	return &Redactor{next: r.next.WithAttrs(clean)}
}

// WithGroup implements slog.Handler.
func (r *Redactor) WithGroup(name string) slog.Handler {
	return &Redactor{next: r.next.WithGroup(name)}
}

// SecretKey reports whether an attribute or field name holds a secret.
func SecretKey(key string) bool {
	k := strings.ToLower(key)
	for _, s := range []string{"token", "secret", "password", "authorization", "cookie", "code_verifier", "signature", "api_key", "apikey"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return k == "code" || strings.HasSuffix(k, "_code") || strings.HasSuffix(k, ".code") || k == "auth"
}

func redactAttr(a slog.Attr) slog.Attr {
	if SecretKey(a.Key) {
		return slog.String(a.Key, Redacted)
	}
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindGroup:
		g := v.Group()
		clean := make([]any, len(g))
		for i, ga := range g {
			clean[i] = redactAttr(ga)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindString:
		return slog.String(a.Key, RedactString(v.String()))
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, RedactString(err.Error()))
		}
		return slog.String(a.Key, RedactString(v.String()))
	}
	return slog.Attr{Key: a.Key, Value: v}
}

var secretPatterns = []*regexp.Regexp{
	// Authorization headers and bearer/basic credentials.
	regexp.MustCompile(`(?i)\b(bearer|basic)\s+[A-Za-z0-9\-._~+/]+=*`),
	// query or form parameters: access_token=…, code=…, client_secret=…
	regexp.MustCompile(`(?i)\b(access_token|refresh_token|id_token|token|code|client_secret|code_verifier|secret|password|download_access_token)=[^&\s"']+`),
	// JSON fields: "access_token":"…"
	regexp.MustCompile(`(?i)"(access_token|refresh_token|id_token|token|client_secret|secret|shared_secret|password|plainToken|encryptedToken|download_token|code)"\s*:\s*"[^"]*"`),
	// headers carrying secrets: X-Hook-Secret: …, X-Hook-Signature: …
	regexp.MustCompile(`(?i)\b(x-hook-secret|x-hook-signature|x-zm-signature|box-signature-primary|box-signature-secondary|x-lawmatics-signature)\s*[:=]\s*\S+`),
}

// RedactString masks secret-looking fragments in s.
func RedactString(s string) string {
	for _, re := range secretPatterns {
		s = re.ReplaceAllStringFunc(s, maskMatch)
	}
	return s
}

// maskMatch keeps the name part of a match (so the log still says which
// credential was involved) and hides the value.
func maskMatch(m string) string {
	lower := strings.ToLower(m)
	switch {
	case strings.HasPrefix(lower, "bearer"), strings.HasPrefix(lower, "basic"):
		return m[:strings.IndexAny(m, " \t")] + " " + Redacted
	case strings.HasPrefix(m, `"`):
		i := strings.Index(m, ":")
		return m[:i+1] + `"` + Redacted + `"`
	}
	if i := strings.IndexAny(m, "=:"); i >= 0 {
		return m[:i+1] + Redacted
	}
	return Redacted
}

var _ slog.Handler = (*Redactor)(nil)
