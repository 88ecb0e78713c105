package live

import (
	"context"
	"slices"
	"strings"

	"github.com/parleyhq/parley"
)

// A guarantor of an agreement often has no seat at the table: the United
// States in the Istanbul scenario guarantees the agreement but never
// negotiated it. It acts in the verification mechanism all the same —
// the accord names it among its seats, and the mechanism (package verify)
// says what it may do: allege a breach, report and confirm what it owes
// or is owed, read what the mechanism shows it. A seat that acts in the
// mechanism (a party or the mediator) issues it a token for the
// monitoring API; the token opens nothing else of the session.

// EvGuarantor is the monitoring event of a guarantor token issued: the
// guarantor's name, the token's SHA-256 and who issued it. It is public
// (every seat may know who was given access, and by whom); the hash
// reveals nothing of the token. A later grant for the same guarantor
// replaces the earlier one (a leaked token is revoked by issuing another).
const EvGuarantor = parley.MonitorEventPrefix + "guarantor"

// GuarantorGrant is the content of an EvGuarantor event.
type GuarantorGrant struct {
	Guarantor string      `json:"guarantor"`
	TokenHash parley.Hash `json:"token_hash"`
	By        string      `json:"by"`
}

// Caller is who calls the monitoring API: a seat of the session (its
// token), or a guarantor of the agreement with no seat at the table (a
// guarantor token): Guarantor is then its name among the accord's seats,
// and Seat is unset.
type Caller struct {
	Seat      parley.Seat
	Guarantor string
}

// SeatCaller is the caller of a seat's token.
func SeatCaller(seat parley.Seat) Caller { return Caller{Seat: seat} }

func (c Caller) String() string {
	if c.Guarantor != "" {
		return "guarantor " + c.Guarantor
	}
	return c.Seat.String()
}

// sees reports whether the caller may see a verification event: a seat
// by the audience the event is stored with, a guarantor by the event's
// own audience in the accord's seats, as the mechanism set it.
func (s *Session) sees(mon *monitor, c Caller, ev *parley.CaseEvent) bool {
	if c.Guarantor != "" {
		return slices.Contains(ev.Audience, c.Guarantor)
	}
	return s.audience(mon, ev.Audience).Includes(c.Seat)
}

// guarantors lists the accord's seats a guarantor token may be issued
// for: neither a party nor the mediators, and no seat of the session sits
// in it.
func (s *Session) guarantors(mon *monitor) []string {
	var out []string
	for _, name := range mon.accord.Seats {
		if name == parley.SeatMediators || mon.accord.IsParty(name) || findSeat(s.b.seats, name) >= 0 {
			continue
		}
		out = append(out, name)
	}
	return out
}

// IssuedGuarantor is the answer to IssueGuarantor: the token, shown once.
type IssuedGuarantor struct {
	Guarantor string           `json:"guarantor"`
	Token     string           `json:"token"`
	By        string           `json:"by"`
	Head      parley.ChainHead `json:"head"`
}

// IssueGuarantor issues a token for the monitoring API to guarantor, a
// seat of the agreement that no seat of the session sits in (EINVALID
// otherwise, listing them). A seat that acts in the mechanism issues it
// (a party or the mediator; EFORBIDDEN for others, guarantors included);
// the grant is stored in the chain before the token is returned, and
// replaces any earlier token of the guarantor.
func (s *Session) IssueGuarantor(ctx context.Context, c Caller, guarantor string) (*IssuedGuarantor, error) {
	token, hash := parley.NewToken()
	out := &IssuedGuarantor{Guarantor: guarantor, Token: token}
	_, err := s.monitorDo(ctx, func(mon *monitor) ([]monitorLine, error) {
		if c.Guarantor != "" {
			return nil, parley.Errorf(parley.EFORBIDDEN, "guarantor %s acts in the mechanism with its token; the parties' and the mediator's seats issue guarantor tokens", c.Guarantor)
		}
		by, err := s.actor(mon.accord, c)
		if err != nil {
			return nil, err
		}
		names := s.guarantors(mon)
		if !slices.Contains(names, guarantor) {
			if len(names) == 0 {
				return nil, parley.Errorf(parley.EINVALID, "guarantor: the agreement has no seat outside the session (its seats: %s)", strings.Join(mon.accord.Seats, ", "))
			}
			return nil, parley.Errorf(parley.EINVALID, "guarantor: %q is not a seat of the agreement without a seat at the table (%s)", clip([]byte(guarantor)), strings.Join(names, ", "))
		}
		out.By = by
		mon.grants[guarantor] = hash
		return []monitorLine{{Type: EvGuarantor, Audience: parley.ToEveryone().String(), Grant: &GuarantorGrant{Guarantor: guarantor, TokenHash: hash, By: by}}}, nil
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	out.Head = s.head
	s.mu.Unlock()
	return out, nil
}

// AuthorizeMonitor returns who token opens the monitoring API to: a seat
// of the session (Authorize), else the guarantor whose current token it
// is (confirmed in constant time). EUNAUTHORIZED when neither.
func (s *Session) AuthorizeMonitor(ctx context.Context, token string) (Caller, error) {
	seat, err := s.Authorize(ctx, token)
	if err == nil {
		return SeatCaller(seat.Seat), nil
	}
	if parley.ErrorCode(err) != parley.EUNAUTHORIZED {
		return Caller{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.b == nil || !s.signed {
		return Caller{}, errUnauthorized()
	}
	mon, merr := s.loadMonitor(ctx)
	if merr != nil {
		return Caller{}, merr
	}
	found := ""
	for name, h := range mon.grants {
		if parley.TokenMatches(token, h) {
			found = name
		}
	}
	if found == "" {
		return Caller{}, errUnauthorized()
	}
	return Caller{Guarantor: found}, nil
}
