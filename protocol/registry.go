package protocol

import (
	"bytes"
	"encoding/json"

	"github.com/parleyhq/parley"
)

// Info describes a protocol: its name, what it is, and how its
// configuration is built and read. The table below is the one place that
// maps protocol names (parley.ProtocolName) to state machines: runners,
// transcripts and the command line go through Lookup, so a protocol added
// later adds its row here (and its name in the root).
type Info struct {
	Name parley.ProtocolName
	// Summary says in a line what the protocol is.
	Summary string
	// Mediated reports whether a mediator takes turns
	// (parley.MediatorActor): a runner must seat one, and events carry
	// the calendar (Event.Day, Event.Hour).
	Mediated bool
	// config builds the protocol's Config from generic settings.
	config func(Settings) Config
	// decode reads a Config from its JSON form, unknown fields refused.
	decode func(dec *json.Decoder) (Config, error)
}

// Settings are the protocol settings a scenario or a runner gives; each
// protocol takes those it knows and ignores the others.
type Settings struct {
	// Rounds is the deadline in rounds.
	Rounds int
	// MaxExtensions bounds extensions of the deadline.
	MaxExtensions int
	// Agenda lists the issues on the agenda at the start (mediated); nil
	// means every issue.
	Agenda []int
	// Calendar and HoursPerRound place rounds on days (mediated).
	Calendar      []float64
	HoursPerRound float64
}

var table = []Info{
	{
		Name:    parley.ProtocolSAO,
		Summary: "alternating offers; stacked for three or more parties",
		config: func(st Settings) Config {
			return SAOConfig{Rounds: st.Rounds, MaxExtensions: st.MaxExtensions}
		},
		decode: func(dec *json.Decoder) (Config, error) {
			var c SAOConfig
			return c, dec.Decode(&c)
		},
	},
	{
		Name:     parley.ProtocolMediated,
		Summary:  "a mediator's single negotiating text, clause by clause",
		Mediated: true,
		config: func(st Settings) Config {
			return MediatedConfig{Rounds: st.Rounds, MaxExtensions: st.MaxExtensions, Agenda: st.Agenda, Calendar: st.Calendar, HoursPerRound: st.HoursPerRound}
		},
		decode: func(dec *json.Decoder) (Config, error) {
			var c MediatedConfig
			return c, dec.Decode(&c)
		},
	},
}

// Lookup returns the protocol named name, or an EINVALID error listing the
// protocols there are.
func Lookup(name parley.ProtocolName) (Info, error) {
	for _, in := range table {
		if in.Name == name {
			return in, nil
		}
	}
	return Info{}, invalid("unknown protocol %q (expected %s)", name, parley.ProtocolChoices())
}

// List returns every protocol, in the order of parley.Protocols.
func List() []Info { return append([]Info(nil), table...) }

// Config builds the protocol's configuration from st; it is validated when
// the protocol is built.
func (in Info) Config(st Settings) Config { return in.config(st) }

// ConfigFor turns a scenario's simulation spec into a protocol config
// (agenda issue names become indexes; an empty agenda means every issue).
// It returns EINVALID for an unknown protocol or issue; the config itself
// is validated when the protocol is built.
func ConfigFor(m *parley.Model, sp *parley.SimulationSpec) (Config, error) {
	in, err := Lookup(sp.Protocol)
	if err != nil {
		return nil, err
	}
	st := Settings{Rounds: sp.Rounds, MaxExtensions: sp.MaxExtensions, Calendar: sp.Calendar, HoursPerRound: sp.HoursPerRound}
	for _, name := range sp.Agenda {
		i := m.Scenario.IssueIndex(name)
		if i < 0 {
			return nil, invalid("%s: agenda: unknown issue %q", sp.Protocol, name)
		}
		st.Agenda = append(st.Agenda, i)
	}
	return in.Config(st), nil
}

// decodeConfig reads the JSON form of name's config; unknown fields are
// errors, so that a misspelt setting is not silently dropped.
func decodeConfig(name parley.ProtocolName, raw []byte) (Config, error) {
	in, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 {
		return nil, invalid("transcript header: config required")
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	c, err := in.decode(d)
	if err != nil {
		return nil, parley.Errorf(parley.EINVALID, "protocol: transcript header: %s config: %v", name, err)
	}
	return c, nil
}

// Calendar places the start of round on cfg's session calendar: the day
// (0-based) and the hours into that day's session, as the events of the
// round carry them (Event.Day, Event.Hour). The mediated protocol has a
// calendar (MediatedConfig.Calendar, HoursPerRound); a protocol without
// one (alternating offers) counts one hour a round, in days of 24 hours.
// A runner that puts the session on the wall clock reads it to know when
// a round must end.
func Calendar(cfg Config, round int) (day int, hour float64) {
	if round < 0 {
		round = 0
	}
	if c, ok := cfg.(MediatedConfig); ok {
		if c.HoursPerRound <= 0 {
			c.HoursPerRound = 1
		}
		return c.clock(round)
	}
	return round / 24, float64(round % 24)
}
