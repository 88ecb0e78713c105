package live

import (
	"fmt"
	"slices"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/agent"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/session"
)

// Who plays a seat, besides a built-in agent's spec.
const (
	// Human: a person, through the API (or the pages).
	Human = "human"
	// Remote: a program on the agent WebSocket.
	Remote = "remote"
)

// SeatInfo is a seat of a live session: where it sits, its role and name,
// who plays it, and — once, in the answer that creates the session — its
// secret token.
type SeatInfo struct {
	Seat parley.Seat `json:"seat"`
	// Role is "mediator", "party", "principal" or "observer".
	Role string `json:"role"`
	// Name is the party's name, "Party/Faction" for a principal,
	// "mediator" or "observer".
	Name string `json:"name"`
	// Player is Human, Remote or a built-in agent's spec.
	Player string `json:"player"`
	// Token is the seat's bearer token; it is shown once and kept only as
	// a hash.
	Token string `json:"token,omitempty"`
	// Connected says, in a view, whether a remote seat's agent is
	// connected to this server now.
	Connected bool `json:"connected,omitempty"`
}

// seatsOf lists the seats of a negotiation of m under a protocol: the
// mediator (mediated protocols), every party, every faction of every
// delegation, and an observer — the order of SeatRecord.Seat.
func seatsOf(m *parley.Model, mediated bool) []SeatInfo {
	var out []SeatInfo
	if mediated {
		out = append(out, SeatInfo{Seat: parley.MediatorSeat(), Role: "mediator", Name: "mediator"})
	}
	for i := range m.Parties {
		out = append(out, SeatInfo{Seat: parley.PartySeat(i), Role: "party", Name: m.Parties[i].Name})
	}
	for i := range m.Parties {
		if !m.Parties[i].Delegation {
			continue
		}
		for j := range m.Parties[i].Principals {
			out = append(out, SeatInfo{Seat: parley.PrincipalSeat(i, j), Role: "principal", Name: m.Parties[i].Name + "/" + m.Parties[i].Principals[j].Name})
		}
	}
	return append(out, SeatInfo{Seat: parley.ObserverSeat(), Role: "observer", Name: "observer"})
}

// assign sets each seat's player from the spec's seats (default Human),
// checking that every key names a seat and every agent fits its seat.
// Errors have code EINVALID.
func assign(seats []SeatInfo, given map[string]string, proto parley.ProtocolName) error {
	for i := range seats {
		seats[i].Player = Human
	}
	keys := make([]string, 0, len(given))
	for k := range given {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the first error does not depend on map order
	for _, k := range keys {
		i := findSeat(seats, k)
		if i < 0 {
			var known []string
			for _, s := range seats {
				known = append(known, s.Name)
			}
			return parley.Errorf(parley.EINVALID, "seats: no seat %q; the seats are %s", k, strings.Join(known, ", "))
		}
		player := strings.TrimSpace(given[k])
		if err := checkPlayer(seats[i], player, proto); err != nil {
			return parley.Errorf(parley.EINVALID, "seats: %s: %s", seats[i].Name, strings.TrimPrefix(parley.ErrorMessage(err), "agent: "))
		}
		seats[i].Player = player
	}
	return nil
}

// findSeat finds a seat by name, or by its text form ("party:0").
func findSeat(seats []SeatInfo, key string) int {
	for i, s := range seats {
		if s.Name == key || s.Seat.String() == key {
			return i
		}
	}
	return -1
}

func checkPlayer(s SeatInfo, player string, proto parley.ProtocolName) error {
	switch {
	case player == Human:
		return nil
	case s.Seat.Role == parley.SeatObserver:
		return parley.Errorf(parley.EINVALID, "an observer watches; only %q sits there", Human)
	case player == Remote && s.Seat.Role == parley.SeatPrincipal:
		return parley.Errorf(parley.EINVALID, "a faction is played by a person or a built-in principal agent, not a remote program")
	case player == Remote:
		return nil
	case player == "":
		return parley.Errorf(parley.EINVALID, "say %q, %q or an agent's spec", Human, Remote)
	}
	role := agent.RoleNegotiator
	switch s.Seat.Role {
	case parley.SeatMediator:
		role = agent.RoleMediator
	case parley.SeatPrincipal:
		role = agent.RolePrincipal
	}
	return agent.Check(player, role, proto)
}

// players makes the driver's players from the seats: built-in agents are
// made from their specs; people and remote programs are the zero Player
// (the driver waits for them).
func players(m *parley.Model, seats []SeatInfo) (parties []session.Player, mediator session.Player, principals [][]session.Player, err error) {
	parties = make([]session.Player, len(m.Parties))
	principals = make([][]session.Player, len(m.Parties))
	for _, s := range seats {
		if s.Player == Human || s.Player == Remote {
			continue
		}
		switch s.Seat.Role {
		case parley.SeatMediator:
			a, err := agent.New(s.Player)
			if err != nil {
				return nil, mediator, nil, fmt.Errorf("mediator: %w", err)
			}
			mediator = session.Player{Agent: a, Name: s.Player}
		case parley.SeatParty:
			a, err := agent.New(s.Player)
			if err != nil {
				return nil, mediator, nil, fmt.Errorf("%s: %w", s.Name, err)
			}
			parties[s.Seat.Party] = session.Player{Agent: a, Name: s.Player}
		case parley.SeatPrincipal:
			pa, err := agent.NewPrincipal(s.Player)
			if err != nil {
				return nil, mediator, nil, fmt.Errorf("%s: %w", s.Name, err)
			}
			p := s.Seat.Party
			if principals[p] == nil {
				principals[p] = make([]session.Player, len(m.Parties[p].Principals))
			}
			principals[p][s.Seat.Faction] = session.Player{Principal: pa, Name: s.Player}
		}
	}
	return parties, mediator, principals, nil
}

// agentInfo lists who plays each seat, for the transcript header.
func agentInfo(m *parley.Model, seats []SeatInfo) []protocol.AgentInfo {
	var out []protocol.AgentInfo
	for _, s := range seats {
		switch s.Seat.Role {
		case parley.SeatMediator:
			out = append(out, protocol.AgentInfo{Actor: parley.MediatorActor, Agent: s.Player})
		case parley.SeatParty:
			out = append(out, protocol.AgentInfo{Actor: s.Seat.Party, Agent: s.Player})
		case parley.SeatPrincipal:
			out = append(out, protocol.AgentInfo{Actor: s.Seat.Party, Principal: m.Parties[s.Seat.Party].Principals[s.Seat.Faction].Name, Agent: s.Player})
		}
	}
	return out
}
