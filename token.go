package parley

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
)

// TokenBytes is the number of random bytes in a seat token: 256 bits, so
// that guessing one is hopeless and its SHA-256 at rest cannot be reversed.
const TokenBytes = 32

// NewToken returns a new seat token, 43 characters of unpadded base64url
// over TokenBytes bytes from crypto/rand, and its hash for the store. The
// token is a bearer capability: show it once to whoever takes the seat and
// keep only the hash.
func NewToken() (token string, hash Hash) {
	b := make([]byte, TokenBytes)
	// crypto/rand.Read never returns an error (Go 1.24+): it crashes the
	// program rather than return predictable bytes.
	_, _ = rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken returns the SHA-256 of token, the form a store keeps. Because
// tokens are long random values, a plain hash (no salt, no slow KDF) is
// enough: there is no dictionary to attack.
func HashToken(token string) Hash { return sha256.Sum256([]byte(token)) }

// TokenMatches reports whether token hashes to h, comparing in constant
// time. A store finds a seat by the hash (an index lookup keyed by a value
// the client cannot steer), and the caller confirms with TokenMatches, so
// that no comparison of secret bytes depends on how many of them match.
func TokenMatches(token string, h Hash) bool {
	t := HashToken(token)
	return subtle.ConstantTimeCompare(t[:], h[:]) == 1
}

// NewSessionID returns a new random session ID: 26 characters of base32
// (128 bits), unguessable, so that a session's ID reveals nothing about
// others.
func NewSessionID() string { return rand.Text() }
