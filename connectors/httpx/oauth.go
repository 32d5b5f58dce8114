package httpx

// OAuthEndpoints are one platform's OAuth facts, as its connector states
// them for core/auth (connectors never import core).
type OAuthEndpoints struct {
	AuthURL, TokenURL, RevokeURL string
	PKCE                         bool              // send an S256 code challenge
	BasicAuth                    bool              // client id and secret in a Basic header (else in the form body)
	Refresh                      string            // "none", "reusable" or "rotating"
	AuthParams                   map[string]string // extra authorize-URL parameters
}

// Identity is the account a token belongs to (each platform's "who am I").
type Identity struct {
	ID, Name, Email string
}
