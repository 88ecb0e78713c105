package parley

import (
	"strconv"
	"strings"
)

// This file holds who takes part in a negotiation (seats) and who may see
// what happens in it (audiences). Confidentiality lives here, in the core:
// every event of a negotiation carries an Audience, and a seat's view is
// computed from the events whose audience includes it (Audience.Includes).
// Nobody receives another party's preferences, reservation value, red
// lines, instructions or caucus.

// SeatRole says what a seat does in a negotiation.
type SeatRole int

// Seat roles. The zero value is the observer, who sees least.
const (
	// SeatObserver watches: it sees only what everyone sees.
	SeatObserver SeatRole = iota
	// SeatMediator writes the single negotiating text (mediated protocol)
	// and hears every caucus.
	SeatMediator
	// SeatParty negotiates for a party: a single actor, or a delegation's
	// delegate.
	SeatParty
	// SeatPrincipal is a faction behind a delegation's delegate: it
	// instructs the delegate and shares what the delegation sees.
	SeatPrincipal
)

var seatRoleNames = []string{"observer", "mediator", "party", "principal"}

// String names the role.
func (r SeatRole) String() string {
	if int(r) < 0 || int(r) >= len(seatRoleNames) {
		return "unknown"
	}
	return seatRoleNames[r]
}

// MarshalText writes the name.
func (r SeatRole) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads a name written by MarshalText.
func (r *SeatRole) UnmarshalText(b []byte) error {
	i, err := parseName("seat role", seatRoleNames, b)
	*r = SeatRole(i)
	return err
}

// Seat is a place at the table: the mediator, a party's negotiator, a
// faction (principal) of a delegation, or an observer. Seats are values;
// two seats are the same seat when they are equal.
type Seat struct {
	Role SeatRole
	// Party is the party index of a party or principal seat (0 otherwise).
	Party int
	// Faction indexes the principal in the party's
	// Model.Parties[Party].Principals (principal seats; 0 otherwise).
	Faction int
}

// MediatorSeat returns the mediator's seat.
func MediatorSeat() Seat { return Seat{Role: SeatMediator} }

// PartySeat returns the seat of party p's negotiator.
func PartySeat(p int) Seat { return Seat{Role: SeatParty, Party: p} }

// PrincipalSeat returns the seat of faction f of party p.
func PrincipalSeat(p, f int) Seat { return Seat{Role: SeatPrincipal, Party: p, Faction: f} }

// ObserverSeat returns an observer's seat.
func ObserverSeat() Seat { return Seat{} }

// ActorSeat returns the seat of a protocol actor: a party index or
// MediatorActor.
func ActorSeat(actor int) Seat {
	if actor == MediatorActor {
		return MediatorSeat()
	}
	return PartySeat(actor)
}

// Actor returns the protocol actor of a seat that takes turns: the party
// index of a party seat, MediatorActor for the mediator; ok is false for
// principals and observers, who never have a turn.
func (s Seat) Actor() (actor int, ok bool) {
	switch s.Role {
	case SeatParty:
		return s.Party, true
	case SeatMediator:
		return MediatorActor, true
	}
	return 0, false
}

// inParty reports whether the seat belongs to party p's side: its
// negotiator or one of its principals.
func (s Seat) inParty(p int) bool {
	return (s.Role == SeatParty || s.Role == SeatPrincipal) && s.Party == p
}

// String writes the seat as "mediator", "observer", "party:P" or
// "principal:P:F" (indexes); ParseSeat reads it back.
func (s Seat) String() string {
	switch s.Role {
	case SeatParty:
		return "party:" + strconv.Itoa(s.Party)
	case SeatPrincipal:
		return "principal:" + strconv.Itoa(s.Party) + ":" + strconv.Itoa(s.Faction)
	}
	return s.Role.String()
}

// ParseSeat reads a seat written by Seat.String. Errors have code
// EINVALID.
func ParseSeat(text string) (Seat, error) {
	name, rest, _ := strings.Cut(text, ":")
	var r SeatRole
	if err := r.UnmarshalText([]byte(name)); err != nil {
		return Seat{}, Errorf(EINVALID, "seat %q: want mediator, observer, party:P or principal:P:F", text)
	}
	ints := func(want int) ([]int, bool) {
		if want == 0 {
			return nil, rest == "" && !strings.Contains(text, ":")
		}
		parts := strings.Split(rest, ":")
		if len(parts) != want {
			return nil, false
		}
		out := make([]int, want)
		for i, p := range parts {
			n, err := strconv.Atoi(p)
			if err != nil || n < 0 || p != strconv.Itoa(n) {
				return nil, false
			}
			out[i] = n
		}
		return out, true
	}
	want := map[SeatRole]int{SeatObserver: 0, SeatMediator: 0, SeatParty: 1, SeatPrincipal: 2}[r]
	n, ok := ints(want)
	if !ok {
		return Seat{}, Errorf(EINVALID, "seat %q: want mediator, observer, party:P or principal:P:F with indexes >= 0", text)
	}
	s := Seat{Role: r}
	if want >= 1 {
		s.Party = n[0]
	}
	if want == 2 {
		s.Faction = n[1]
	}
	return s, nil
}

// MarshalText writes the seat as String does.
func (s Seat) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a seat written by MarshalText.
func (s *Seat) UnmarshalText(b []byte) error {
	v, err := ParseSeat(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// AudienceKind says who may see an event.
type AudienceKind int

// Audience kinds.
const (
	// AudienceUnset is the audience of events read from transcripts
	// written before events carried one; such events were public, and
	// Includes treats them so. Protocols never emit it.
	AudienceUnset AudienceKind = iota
	// AudienceEveryone: every seat and observer.
	AudienceEveryone
	// AudienceSeat: one seat only (Audience.Seat).
	AudienceSeat
	// AudienceCaucus: the mediator and one party's side (its negotiator
	// and, for a delegation, its principals): what a party and the
	// mediator say to each other in private.
	AudienceCaucus
	// AudienceDelegation: one party's side only: its negotiator and its
	// principals (instructions, the reasons it does not ratify).
	AudienceDelegation
)

// Audience says who may see an event: everyone, one seat, a party and the
// mediator (a caucus), or a party's delegation and its principals. The
// zero value is AudienceUnset.
type Audience struct {
	Kind AudienceKind
	// Seat is the one seat of AudienceSeat; for AudienceCaucus and
	// AudienceDelegation it is the party's seat (PartySeat(p)).
	Seat Seat
}

// ToEveryone is the audience of public events.
func ToEveryone() Audience { return Audience{Kind: AudienceEveryone} }

// ToSeat is the audience of one seat.
func ToSeat(s Seat) Audience { return Audience{Kind: AudienceSeat, Seat: s} }

// ToCaucus is the audience of a caucus between party p and the mediator.
func ToCaucus(p int) Audience { return Audience{Kind: AudienceCaucus, Seat: PartySeat(p)} }

// ToDelegation is the audience of party p's side: its negotiator and its
// principals.
func ToDelegation(p int) Audience { return Audience{Kind: AudienceDelegation, Seat: PartySeat(p)} }

// Includes reports whether seat s may see an event with this audience.
// Observers see only public events; the mediator sees public events and
// every caucus; a party's negotiator and principals see public events and
// their own side's caucus and delegation events.
func (a Audience) Includes(s Seat) bool {
	switch a.Kind {
	case AudienceEveryone, AudienceUnset:
		return true
	case AudienceSeat:
		return s == a.Seat
	case AudienceCaucus:
		return s.Role == SeatMediator || s.inParty(a.Seat.Party)
	case AudienceDelegation:
		return s.inParty(a.Seat.Party)
	}
	return false
}

// Public reports whether everyone may see the event.
func (a Audience) Public() bool { return a.Kind == AudienceEveryone || a.Kind == AudienceUnset }

// String writes the audience as "everyone", a seat ("party:1",
// "mediator", "principal:1:0"), "caucus:P" or "delegation:P"; "" when
// unset. ParseAudience reads it back.
func (a Audience) String() string {
	switch a.Kind {
	case AudienceEveryone:
		return "everyone"
	case AudienceSeat:
		return a.Seat.String()
	case AudienceCaucus:
		return "caucus:" + strconv.Itoa(a.Seat.Party)
	case AudienceDelegation:
		return "delegation:" + strconv.Itoa(a.Seat.Party)
	}
	return ""
}

// ParseAudience reads an audience written by Audience.String ("" is
// AudienceUnset). Errors have code EINVALID.
func ParseAudience(text string) (Audience, error) {
	switch {
	case text == "":
		return Audience{}, nil
	case text == "everyone":
		return ToEveryone(), nil
	case strings.HasPrefix(text, "caucus:"), strings.HasPrefix(text, "delegation:"):
		name, num, _ := strings.Cut(text, ":")
		p, err := strconv.Atoi(num)
		if err != nil || p < 0 || num != strconv.Itoa(p) {
			return Audience{}, Errorf(EINVALID, "audience %q: want %s:P with a party index P >= 0", text, name)
		}
		if name == "caucus" {
			return ToCaucus(p), nil
		}
		return ToDelegation(p), nil
	}
	s, err := ParseSeat(text)
	if err != nil {
		return Audience{}, Errorf(EINVALID, "audience %q: want everyone, caucus:P, delegation:P or a seat (mediator, observer, party:P, principal:P:F)", text)
	}
	return ToSeat(s), nil
}

// MarshalText writes the audience as String does.
func (a Audience) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText reads an audience written by MarshalText.
func (a *Audience) UnmarshalText(b []byte) error {
	v, err := ParseAudience(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// Brief returns what seat may know of the scenario before anything is
// said: the issues, the third parties, the parties' names and
// descriptions, the protocol settings — and the preferences of its own
// side only (a party seat and its principals see their whole party: its
// factions, their weights, red lines and reservation values). Other
// parties' preferences, delegations and sources, the variants, the
// analyst's notes and the agents seated are left out; the mediator and
// observers get no party's preferences. The result shares no slices that
// it changes with s; it is for showing and sending, not for compiling
// (other parties have neither Preferences nor Delegation).
func (s *Scenario) Brief(seat Seat) *Scenario {
	b := &Scenario{ID: s.ID, Title: s.Title, Description: s.Description, Issues: s.Issues, Roles: s.Roles, Variant: s.Variant}
	b.Parties = make([]Party, len(s.Parties))
	for i, p := range s.Parties {
		if seat.inParty(i) {
			b.Parties[i] = p
			continue
		}
		b.Parties[i] = Party{Name: p.Name, Description: p.Description}
	}
	if sp := s.Simulation; sp != nil {
		b.Simulation = &SimulationSpec{Protocol: sp.Protocol, Rounds: sp.Rounds, Agenda: sp.Agenda, Calendar: sp.Calendar,
			HoursPerRound: sp.HoursPerRound, MaxExtensions: sp.MaxExtensions}
	}
	return b
}
