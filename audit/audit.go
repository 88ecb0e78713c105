package audit

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/parleyhq/parley"
)

// Prefixes of the two kinds of encodings; distinct, so that a genesis hash
// never equals an event hash of the same bytes.
const (
	eventPrefix   = "parley.audit/1 event\n"
	genesisPrefix = "parley.audit/1 genesis\n"
)

// Genesis returns the hash a session's chain starts from: the SHA-256 of
// the session ID and its definition. Editing the stored definition thus
// breaks the chain at seq 0.
//
// The definition (tens of kilobytes: it holds the scenario) is hashed
// where it lies, not copied behind the prefix first.
func Genesis(session string, definition []byte) parley.Hash {
	var buf [128]byte
	b := append(buf[:0], genesisPrefix...)
	b = appendBytes(b, session)
	b = binary.AppendUvarint(b, uint64(len(definition)))
	h := sha256.New()
	h.Write(b)
	h.Write(definition)
	var out parley.Hash
	h.Sum(out[:0])
	return out
}

// Encode appends the canonical encoding of e to dst and returns it: the
// session, seq, type, audience, payload and prev hash, each
// length-prefixed (see the package documentation). e.Hash is not part of
// it.
func Encode(dst []byte, e *parley.EventRecord) []byte {
	dst = append(dst, eventPrefix...)
	dst = appendBytes(dst, e.Session)
	dst = binary.BigEndian.AppendUint64(dst, uint64(e.Seq))
	dst = appendBytes(dst, e.Type)
	dst = appendBytes(dst, e.Audience)
	dst = appendBytes(dst, e.Payload)
	return append(dst, e.Prev[:]...)
}

// Sum returns the hash of e: the SHA-256 of Encode(e).
func Sum(e *parley.EventRecord) parley.Hash {
	var buf [512]byte
	return sha256.Sum256(Encode(buf[:0], e))
}

func appendBytes[S ~string | ~[]byte](dst []byte, s S) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// Chain is the state an appender keeps to extend a session's chain: the
// next sequence number and the current head hash. The zero Chain is not
// useful; start one with NewChain or from a stored head.
type Chain struct {
	Session string
	Next    int64
	Head    parley.Hash
}

// NewChain returns the chain of a session with no events.
func NewChain(session string, genesis parley.Hash) Chain {
	return Chain{Session: session, Head: genesis}
}

// FromHead returns the chain that continues after head.
func FromHead(head parley.ChainHead) Chain {
	return Chain{Session: head.Session, Next: head.Events, Head: head.Hash}
}

// Link makes e the chain's next event: it sets e's Session, Seq, Prev and
// Hash and advances the chain.
func (c *Chain) Link(e *parley.EventRecord) {
	e.Session, e.Seq, e.Prev = c.Session, c.Next, c.Head
	e.Hash = Sum(e)
	c.Next++
	c.Head = e.Hash
}

// ChainHead returns the chain's head.
func (c *Chain) ChainHead() parley.ChainHead {
	return parley.ChainHead{Session: c.Session, Events: c.Next, Hash: c.Head}
}
