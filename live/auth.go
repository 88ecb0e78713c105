package live

import (
	"context"

	"github.com/parleyhq/parley"
)

// MaxToken bounds the length of a bearer token read from a request; real
// tokens are 43 characters.
const MaxToken = 256

// errUnauthorized is all a client learns of a missing, forged or foreign
// token: which of the three it was would help a guesser.
func errUnauthorized() error {
	return parley.Errorf(parley.EUNAUTHORIZED, "a seat token of this session is required: Authorization: Bearer TOKEN")
}

// Authorize returns the seat of this session that token opens. The token
// is looked up by its SHA-256 (a value the client cannot steer byte by
// byte) and confirmed with a constant-time comparison; a token of another
// session opens nothing here. Returns EUNAUTHORIZED when no seat matches.
func (s *Session) Authorize(ctx context.Context, token string) (SeatInfo, error) {
	if token == "" || len(token) > MaxToken {
		return SeatInfo{}, errUnauthorized()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ensure(ctx); err != nil {
		return SeatInfo{}, err
	}
	i, ok := s.byHash[parley.HashToken(token)]
	if !ok || i < 0 || i >= len(s.b.seats) || !parley.TokenMatches(token, s.hashes[i]) {
		return SeatInfo{}, errUnauthorized()
	}
	return s.b.seats[i], nil
}

// mayReadRecord reports whether a seat may fetch the whole record (the
// transcript): the mediator and observers. The record holds every
// caucus and every party's preferences (the scenario it replays from), so
// no party or faction seat may.
func mayReadRecord(seat parley.Seat) error {
	if seat.Role == parley.SeatMediator || seat.Role == parley.SeatObserver {
		return nil
	}
	return parley.Errorf(parley.EFORBIDDEN, "the transcript holds every seat's record; only the mediator's and the observer's tokens fetch it")
}
