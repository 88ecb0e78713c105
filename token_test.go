package parley_test

import (
	"encoding/base64"
	"testing"

	"github.com/parleyhq/parley"
)

func TestTokens(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		tok, h := parley.NewToken()
		b, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(b) != parley.TokenBytes {
			t.Fatalf("token %q: %d bytes, %v", tok, len(b), err)
		}
		if seen[tok] {
			t.Fatalf("token %q drawn twice", tok)
		}
		seen[tok] = true
		if h != parley.HashToken(tok) || !parley.TokenMatches(tok, h) {
			t.Fatalf("token %q does not match its own hash", tok)
		}
		if parley.TokenMatches(tok[:len(tok)-1], h) || parley.TokenMatches(tok+"x", h) || parley.TokenMatches("", h) {
			t.Fatalf("token %q: a different token matches its hash", tok)
		}
	}
	a, b := parley.NewSessionID(), parley.NewSessionID()
	if len(a) != 26 || a == b {
		t.Fatalf("session IDs %q, %q", a, b)
	}
	if err := (&parley.SessionRecord{ID: a, Definition: []byte("{}")}).Validate(); err != nil {
		t.Fatalf("a new session ID does not validate: %v", err)
	}
}
