package tournament

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/agent"
)

// Defaults: DefaultReps and DefaultRounds for what a Definition leaves at
// zero, DefaultSeed for the command line's --seed.
const (
	DefaultReps   = 1
	DefaultRounds = 100
	DefaultSeed   = 1
)

// Definition is what a tournament is: which agents meet on which
// scenarios, how often, for how long, from which seed. Two runs with equal
// Definitions (and scenario files with equal content) produce the same
// negotiations with the same results, whatever the worker count or shard
// split. It is stored in DIR/tournament.json; a run refuses to resume into
// a folder whose stored Definition differs.
type Definition struct {
	// Agents are agent specs (package agent's syntax: "boulware",
	// "boulware:e=0.1", "exec:python3 agent.py"). At least one; no spec
	// twice; no newline, and no '+' or '/' except in an exec command (they
	// delimit negotiation ids, where an exec command's are escaped: see
	// IDPart).
	Agents []string `json:"agents" yaml:"agents"`
	// Scenarios are scenario arguments: a built-in scenario name, a
	// scenario YAML file, a Genius XML domain file (its profiles found by
	// the X-domain.xml / X-*.xml naming), an explicit Genius or GeniusWeb
	// set "DOMAIN+PROFILE+PROFILE...", a GeniusWeb JSON domain file (its
	// profiles: the other JSON files of its folder), or a folder, scanned
	// recursively for all of these. See ResolveScenarios.
	Scenarios []string `json:"scenarios" yaml:"scenarios"`
	// Reps is the number of repetitions of every pairing (default 1).
	Reps int `json:"reps" yaml:"reps"`
	// Rounds is every negotiation's deadline in SAO rounds (default 100).
	Rounds int `json:"rounds" yaml:"rounds"`
	// TimeLimit is every negotiation's wall-clock deadline besides Rounds
	// (0: none); agents see the nearer of the two in their relative time
	// t, and what the parties get is discounted at t. Left out of the
	// definition's JSON (and so of its hash) when 0.
	TimeLimit Duration `json:"time_limit,omitempty" yaml:"time-limit"`
	// Seed is the tournament seed; each negotiation's seed is derived from
	// it and the negotiation's id. 0 is a seed like any other (the command
	// line's default is DefaultSeed).
	Seed uint64 `json:"seed" yaml:"seed"`
	// SelfPlay lets an agent meet itself: all assignments of agents to
	// seats, repetitions included (k^n for k agents and n seats). Without
	// it, the agents of a negotiation are distinct (k!/(k−n)! assignments).
	SelfPlay bool `json:"self_play" yaml:"self-play"`
}

// Duration is a time.Duration written as Go writes durations ("1.5s").
type Duration time.Duration

// String writes the duration as time.Duration does.
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalText writes the duration as String does.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a duration such as "1.5s" or "2m".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return parley.Errorf(parley.EINVALID, "duration %q: want a number with a unit, e.g. 500ms, 2s, 1m", b)
	}
	*d = Duration(v)
	return nil
}

// withDefaults fills zero Reps and Rounds with the defaults.
func (d Definition) withDefaults() Definition {
	if d.Reps == 0 {
		d.Reps = DefaultReps
	}
	if d.Rounds == 0 {
		d.Rounds = DefaultRounds
	}
	return d
}

// validate rejects bad definitions with EINVALID and checks that every
// agent spec names a known agent.
func (d *Definition) validate() error {
	if len(d.Agents) == 0 {
		return parley.Errorf(parley.EINVALID, "tournament: no agents given")
	}
	if len(d.Scenarios) == 0 {
		return parley.Errorf(parley.EINVALID, "tournament: no scenarios given")
	}
	if d.Reps < 1 {
		return parley.Errorf(parley.EINVALID, "tournament: reps must be positive, got %d", d.Reps)
	}
	if d.Rounds < 1 {
		return parley.Errorf(parley.EINVALID, "tournament: rounds must be positive, got %d", d.Rounds)
	}
	if d.TimeLimit < 0 {
		return parley.Errorf(parley.EINVALID, "tournament: time limit must not be negative, got %s", d.TimeLimit)
	}
	seen := map[string]bool{}
	for _, a := range d.Agents {
		if a == "" || strings.ContainsAny(a, "\n\r") || (!agent.IsExec(a) && strings.ContainsAny(a, "+/")) {
			return parley.Errorf(parley.EINVALID, "tournament: agent spec %q: must be non-empty and contain no '+', '/' or newline (an exec: command may hold '+' and '/')", a)
		}
		if seen[a] {
			return parley.Errorf(parley.EINVALID, "tournament: agent %q listed twice", a)
		}
		seen[a] = true
		// Tournaments play alternating offers (protocol.NewSAO).
		if err := agent.Check(a, agent.RoleNegotiator, parley.ProtocolSAO); err != nil {
			return &parley.Error{Code: parley.EINVALID, Message: "tournament: agent " + a, Err: err}
		}
	}
	return nil
}

// Shard selects the negotiations whose global index is ≡ I mod N. The zero
// value is the whole tournament (0/1).
type Shard struct {
	I, N int
}

// String writes the shard as "i/N".
func (s Shard) String() string {
	s = s.norm()
	return strconv.Itoa(s.I) + "/" + strconv.Itoa(s.N)
}

func (s Shard) norm() Shard {
	if s.N == 0 {
		return Shard{0, 1}
	}
	return s
}

// MarshalText writes "i/N".
func (s Shard) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads "i/N" with ParseShard.
func (s *Shard) UnmarshalText(b []byte) error {
	v, err := ParseShard(string(b))
	*s = v
	return err
}

// ParseShard parses "i/N": 0 ≤ i < N. Errors have code EINVALID.
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, parley.Errorf(parley.EINVALID, "tournament: shard %q: want i/N, e.g. 0/4", s)
	}
	if n < 1 || i < 0 || i >= n {
		return Shard{}, parley.Errorf(parley.EINVALID, "tournament: shard %q: need 0 <= i < N (0-based i)", s)
	}
	return Shard{I: i, N: n}, nil
}

// ParseAgents splits a comma-separated agent list. Because a spec may carry
// comma-separated parameters ("boulware:e=0.1,x=2"), a piece of the form
// key=value without ':' continues the previous spec.
func ParseAgents(list string) []string {
	var out []string
	for _, p := range strings.Split(list, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if n := len(out); n > 0 && strings.Contains(p, "=") && !strings.Contains(p, ":") && strings.Contains(out[n-1], ":") {
			out[n-1] += "," + p
			continue
		}
		out = append(out, p)
	}
	return out
}

// SplitList splits a comma-separated list, dropping empty items.
func SplitList(list string) []string {
	var out []string
	for _, p := range strings.Split(list, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Config is a tournament file: the Definition plus how to run it. Its keys
// mirror the flags of 'parley tournament'.
type Config struct {
	Definition `yaml:",inline"`
	// Workers is the number of worker goroutines (0: all cores).
	Workers int `yaml:"workers"`
	// Out is the output folder.
	Out string `yaml:"out"`
	// Shard is "i/N" ("": the whole tournament).
	Shard string `yaml:"shard"`
}

// joinAll makes every '+'-separated relative path of s relative to dir.
func joinAll(dir, s string) string {
	parts := strings.Split(s, "+")
	for i, p := range parts {
		if !filepath.IsAbs(p) {
			parts[i] = filepath.Join(dir, p)
		}
	}
	return strings.Join(parts, "+")
}

// DefinitionHash identifies a tournament: 16 hex digits of SHA-256 over its
// Definition and its resolved scenarios (name, parties and content
// fingerprint of each, not where the files were found). Every row of
// results.csv carries it in its "definition" column, so that rows of another
// tournament (another seed, rounds, agents, scenario content...) are never
// taken for this one's, even when tournament.json is gone.
func DefinitionHash(def Definition, scen []ScenarioInfo) string {
	type scenarioKey struct {
		Name        string   `json:"name"`
		Parties     []string `json:"parties"`
		Fingerprint string   `json:"fingerprint"`
	}
	key := struct {
		Definition Definition    `json:"definition"`
		Scenarios  []scenarioKey `json:"scenarios"`
	}{Definition: def}
	for _, s := range scen {
		key.Scenarios = append(key.Scenarios, scenarioKey{s.Name, s.Parties, s.Fingerprint})
	}
	b, err := json.Marshal(key)
	if err != nil {
		panic("tournament: encoding a definition: " + err.Error()) // plain strings and numbers: cannot fail
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}
