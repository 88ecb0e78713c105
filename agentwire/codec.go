package agentwire

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley"
)

// Setup describes the seat an agent plays, for its settings message.
type Setup struct {
	// Model is the negotiated model; only the seat's own party's
	// preferences are sent.
	Model *parley.Model
	// Seat is parley.PartySeat(p) or parley.MediatorSeat().
	Seat parley.Seat
	// Protocol is the negotiation protocol.
	Protocol parley.ProtocolName
	// Rounds and TimeLimit are the deadlines (0: none).
	Rounds    int
	TimeLimit time.Duration
	// Seed is handed to the agent for its randomness.
	Seed uint64
}

// SetupOf returns the setup of the seat a session describes (what the
// session driver hands an agent's Init); the seed is drawn from s.Rand.
func SetupOf(s *parley.Session) Setup {
	st := Setup{Model: s.Model, Seat: parley.ActorSeat(s.Party), Protocol: s.Protocol, Rounds: s.Rounds, TimeLimit: s.TimeLimit}
	if s.Rand != nil {
		st.Seed = s.Rand.Uint64()
	}
	return st
}

// MaxReason bounds the reason an agent may give with an action, in bytes.
const MaxReason = 1024

// Codec is the engine's side of one seat's conversation, without I/O: it
// writes the messages the seat receives — settings, then for each turn
// the action_done messages of what the seat may see that happened since
// its last turn followed by your_turn, and at the end finished — and reads
// the agent's replies into actions. A server that drives its sessions by
// pushing (session.Driver.Submit) uses it directly: Turn when the driver
// awaits the seat, Reply on each line the agent sends, Submit the action.
// Agent wraps it for agents the driver calls (subprocesses).
//
// The messages it returns are valid until its next call. It is not safe
// for concurrent use.
type Codec struct {
	m     *parley.Model
	setup Setup
	actor int

	delivered int   // history entries delivered so far
	turn      int64 // number of the last your_turn
	pending   bool  // a your_turn awaits its reply
	kind      parley.TurnKind
	offer     parley.Outcome // the standing offer of the pending turn (a copy)

	buf   []byte
	offs  []int
	msgs  [][]byte
	reply Reply
}

// NewCodec returns the codec of the seat st describes. Errors (EINVALID)
// name a seat that does not take turns or does not exist.
func NewCodec(st Setup) (*Codec, error) {
	if st.Model == nil {
		return nil, parley.Errorf(parley.EINVALID, "agentwire: no model")
	}
	actor, ok := st.Seat.Actor()
	if !ok || (actor != parley.MediatorActor && (actor < 0 || actor >= len(st.Model.Parties))) {
		return nil, parley.Errorf(parley.EINVALID, "agentwire: seat %s takes no turns here; an agent plays a party or the mediator", st.Seat)
	}
	return &Codec{m: st.Model, setup: st, actor: actor}, nil
}

// Settings returns the settings message (one line, no newline).
func (c *Codec) Settings() ([]byte, error) {
	b, err := json.Marshal(c.settings())
	if err != nil {
		return nil, &parley.Error{Code: parley.EINTERNAL, Message: "agentwire: encoding settings", Err: err}
	}
	return b, nil
}

// settings builds the settings message: the seat's own profile only.
func (c *Codec) settings() *Settings {
	m, st := c.m, c.setup
	s := &Settings{Type: TypeSettings, Protocol: Version, Negotiation: st.Protocol, Seat: st.Seat, Role: st.Seat.Role.String(),
		Party: c.actor, Seed: st.Seed, Deadline: Deadline{Rounds: st.Rounds, Seconds: st.TimeLimit.Seconds()}}
	for i := range m.Parties {
		s.Parties = append(s.Parties, m.Parties[i].Name)
	}
	s.Domain.Name = m.Scenario.ID
	for i := range m.Scenario.Issues {
		is := &m.Scenario.Issues[i]
		wi := Issue{Name: is.Name, Options: make([]string, len(is.Options)), StatusQuo: is.StatusQuo()}
		for k, o := range is.Options {
			wi.Options[k] = o.Label
		}
		if is.Kind != parley.Categorical {
			wi.Values = make([]float64, len(is.Options))
			for k, o := range is.Options {
				wi.Values[k] = o.Value
			}
		}
		s.Domain.Issues = append(s.Domain.Issues, wi)
	}
	if c.actor >= 0 {
		s.Profile = profile(&m.Parties[c.actor])
	}
	return s
}

// profile compiles a party's own preferences for the wire.
func profile(pm *parley.PartyModel) *Profile {
	p := &Profile{Values: values(&pm.Utility), Rects: rects(&pm.Utility), Reservation: pm.Utility.F(pm.Reservation), Discount: pm.DiscountFactor()}
	if !pm.Delegation {
		if len(pm.Principals) == 1 {
			p.RedLines = regions(pm.Principals[0].RedLines)
		}
		return p
	}
	rule := pm.Rule
	p.Rule = &rule
	for j := range pm.Principals {
		pr := &pm.Principals[j]
		p.Factions = append(p.Factions, Faction{Name: pr.Name, Weight: pm.Weights[j], Values: values(&pr.Utility), Rects: rects(&pr.Utility),
			Reservation: pr.Utility.F(pr.Reservation), Discount: pr.DiscountFactor(), RedLines: regions(pr.RedLines)})
	}
	return p
}

func values(u *parley.UtilityFn) [][]float64 {
	out := make([][]float64, len(u.Values))
	for i, vs := range u.Values {
		out[i] = make([]float64, len(vs))
		for k, v := range vs {
			out[i][k] = u.F(v)
		}
	}
	return out
}

func rects(u *parley.UtilityFn) []Rect {
	var out []Rect
	for _, r := range u.Rects {
		out = append(out, Rect{Utility: u.F(r.Utility), Region: region(r.Region)})
	}
	return out
}

func regions(rs []parley.Region) []Region {
	var out []Region
	for _, r := range rs {
		out = append(out, region(r))
	}
	return out
}

func region(r parley.Region) Region {
	out := make(Region, 0, len(r))
	for _, s := range r {
		set := IssueSet{Issue: s.Issue, Options: []int{}}
		for k, in := range s.In {
			if in {
				set.Options = append(set.Options, k)
			}
		}
		out = append(out, set)
	}
	return out
}

// Turn returns the messages that hand the agent its turn t: an
// action_done for every action of t.History (the seat's view) not yet
// delivered and not its own, then your_turn. Each message is one line
// without its newline; the slices are valid until the next call.
func (c *Codec) Turn(t *parley.Turn) [][]byte {
	c.begin()
	c.done(t.History)
	c.turn++
	c.pending = true
	c.kind = t.Kind
	c.offer = append(c.offer[:0], t.Offer...)
	c.yourTurn(t)
	return c.end()
}

// Finished returns the messages that close the conversation: the
// action_done messages not yet delivered, then finished.
func (c *Codec) Finished(e *parley.Ending) [][]byte {
	c.pending = false
	c.begin()
	c.done(e.History)
	f := Finished{Type: TypeFinished, End: e.End.String(), Why: e.Why, Rounds: e.Rounds, T: e.Time}
	if e.End == parley.Running {
		f.End = "aborted"
		if f.Why == "" {
			f.Why = "the engine stopped the negotiation"
		}
	}
	if e.End == parley.Agreement {
		f.Agreement = e.Agreement
	}
	if c.actor >= 0 {
		u, un := e.Utility, e.Undiscounted
		f.Utility, f.UtilityUndiscounted = &u, &un
	}
	b, err := json.Marshal(f)
	if err != nil { // plain numbers and strings: cannot fail
		panic("agentwire: encoding finished: " + err.Error())
	}
	c.buf = append(c.buf, b...)
	c.mark()
	return c.end()
}

// Pending reports whether a your_turn awaits its reply.
func (c *Codec) Pending() bool { return c.pending }

// TurnNumber returns the number of the last your_turn (0 before the
// first).
func (c *Codec) TurnNumber() int64 { return c.turn }

func (c *Codec) begin() {
	c.buf = c.buf[:0]
	c.offs = c.offs[:0]
}

// mark ends the message being written.
func (c *Codec) mark() { c.offs = append(c.offs, len(c.buf)) }

func (c *Codec) end() [][]byte {
	c.msgs = c.msgs[:0]
	from := 0
	for _, to := range c.offs {
		c.msgs = append(c.msgs, c.buf[from:to:to])
		from = to
	}
	return c.msgs
}

// done writes an action_done for each new action of history that is not
// the seat's own.
func (c *Codec) done(history []parley.Action) {
	if c.delivered > len(history) {
		c.delivered = len(history) // a view never shrinks; be safe anyway
	}
	for i := c.delivered; i < len(history); i++ {
		a := &history[i]
		if a.Actor == c.actor {
			continue
		}
		c.actionDone(a)
	}
	c.delivered = len(history)
}

// wireAction names an action kind on the wire.
func wireAction(k parley.ActionKind) string {
	switch k {
	case parley.ActWalkAway, parley.ActEnd:
		return TypeEndNegotiation
	}
	return k.String()
}

func (c *Codec) actionDone(a *parley.Action) {
	b := append(c.buf, `{"type":"action_done","actor":`...)
	b = strconv.AppendInt(b, int64(a.Actor), 10)
	b = append(b, `,"action":"`...)
	b = append(b, wireAction(a.Kind)...)
	b = append(b, '"')
	switch a.Kind {
	case parley.ActOffer:
		b = appendInts(append(b, `,"bid":`...), a.Outcome)
	case parley.ActText:
		b = appendInts(append(b, `,"text":`...), a.Outcome)
	case parley.ActAnswer:
		b = append(b, `,"answers":[`...)
		for k, ans := range a.Answers {
			if k > 0 {
				b = append(b, ',')
			}
			b = append(append(append(b, '"'), ans.String()...), '"')
		}
		b = append(b, ']')
	}
	if a.Rounds != 0 {
		b = strconv.AppendInt(append(b, `,"rounds":`...), int64(a.Rounds), 10)
	}
	if a.Reason != "" {
		b = appendString(append(b, `,"reason":`...), a.Reason)
	}
	c.buf = append(b, '}')
	c.mark()
}

// turnActions lists the replies allowed per turn kind.
var turnActions = [...]string{
	parley.TurnPropose: `["offer","end_negotiation"]`,
	parley.TurnRespond: `["accept","offer","end_negotiation"]`,
	parley.TurnText:    `["text","extend","end_negotiation"]`,
	parley.TurnAnswer:  `["answer","end_negotiation"]`,
}

func (c *Codec) yourTurn(t *parley.Turn) {
	b := append(c.buf, `{"type":"your_turn","turn":`...)
	b = strconv.AppendInt(b, c.turn, 10)
	b = append(b, `,"kind":"`...)
	b = append(b, t.Kind.String()...)
	b = append(b, `","actions":`...)
	if int(t.Kind) >= 0 && int(t.Kind) < len(turnActions) {
		b = append(b, turnActions[t.Kind]...)
	} else {
		b = append(b, "[]"...)
	}
	b = strconv.AppendInt(append(b, `,"round":`...), int64(t.Round), 10)
	b = strconv.AppendFloat(append(b, `,"t":`...), t.Time, 'g', -1, 64)
	if c.setup.TimeLimit > 0 {
		b = strconv.AppendFloat(append(b, `,"time_left":`...), t.Left.Seconds(), 'g', -1, 64)
	}
	if t.Kind == parley.TurnRespond && t.Offer != nil {
		b = appendInts(append(b, `,"offer":`...), t.Offer)
		b = strconv.AppendInt(append(b, `,"offerer":`...), int64(t.Offerer), 10)
	}
	if t.Kind == parley.TurnText || t.Kind == parley.TurnAnswer {
		b = append(b, `,"text":[`...)
		for k, cl := range t.Text {
			if k > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(append(b, `{"option":`...), int64(cl.Option), 10)
			b = append(append(append(b, `,"state":"`...), cl.State.String()...), '"')
			b = strconv.AppendBool(append(b, `,"on_agenda":`...), cl.OnAgenda)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if len(t.Instructions) > 0 {
		in, err := json.Marshal(t.Instructions)
		if err != nil { // plain fields: cannot fail
			panic("agentwire: encoding instructions: " + err.Error())
		}
		b = append(append(b, `,"instructions":`...), in...)
	}
	c.buf = append(b, '}')
	c.mark()
}

func appendInts(b []byte, xs []int) []byte {
	b = append(b, '[')
	for k, x := range xs {
		if k > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(x), 10)
	}
	return append(b, ']')
}

func appendString(b []byte, s string) []byte {
	q, err := json.Marshal(s)
	if err != nil { // a string always encodes
		panic("agentwire: encoding a string: " + err.Error())
	}
	return append(b, q...)
}

// Faults an agent commits, for errors.Is.
var (
	// ErrOutOfTurn: the agent wrote when no turn awaited its reply, or
	// answered an earlier turn.
	ErrOutOfTurn = errors.New("answered out of turn")
	// ErrBadMessage: a line that is not a valid reply.
	ErrBadMessage = errors.New("bad message")
)

// fault is an agent's fault: what it did wrong, in words.
type fault struct {
	kind error
	msg  string
}

func (f *fault) Error() string { return f.msg }
func (f *fault) Unwrap() error { return f.kind }

func faultf(kind error, format string, args ...any) error {
	return &fault{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// snippet quotes the start of a line for a message.
func snippet(line []byte) string {
	const n = 60
	if len(line) <= n {
		return strconv.Quote(string(line))
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(line[cut]) {
		cut--
	}
	return strconv.Quote(string(line[:cut])) + fmt.Sprintf("... (%d bytes)", len(line))
}

// Unsolicited returns the fault of a line the agent wrote while no turn
// awaited its reply.
func (c *Codec) Unsolicited(line []byte) error {
	return faultf(ErrOutOfTurn, "answered out of turn: wrote %s when it was not its turn", snippet(line))
}

// Reply reads the agent's reply to the pending your_turn into an action
// (its Outcome is valid until the next call). Every reply carries the
// number of the turn it answers ("turn"), so that a late or doubled reply
// is caught for sure. A reply that is no JSON message, of a type the turn
// does not allow, with an outcome of the wrong shape, without its turn
// number, out of turn or otherwise malformed is the agent's fault: the
// error says what it did, for the negotiation's "why". Whether the action
// is acceptable to the protocol (a text that changes an agreed clause) is
// the protocol's to check (protocol.Protocol.Check).
func (c *Codec) Reply(line []byte) (parley.Action, error) {
	if !c.pending {
		return parley.Action{}, c.Unsolicited(line)
	}
	c.pending = false
	r := &c.reply
	*r = Reply{Bid: r.Bid[:0], Text: r.Text[:0], Answers: r.Answers[:0]}
	if err := json.Unmarshal(line, r); err != nil {
		return parley.Action{}, faultf(ErrBadMessage, "wrote a line that is not a valid message (%s): %s", jsonError(err), snippet(line))
	}
	switch {
	case r.Turn == 0:
		return parley.Action{}, faultf(ErrBadMessage, `sent a reply without its turn number (echo "turn": %d of the your_turn): %s`, c.turn, snippet(line))
	case r.Turn != c.turn:
		return parley.Action{}, faultf(ErrOutOfTurn, "answered out of turn: a reply to turn %d during turn %d", r.Turn, c.turn)
	}
	if len(r.Reason) > MaxReason {
		return parley.Action{}, faultf(ErrBadMessage, "gave a reason of %d bytes (at most %d)", len(r.Reason), MaxReason)
	}
	if r.Extend < 0 || r.Extend > 1<<24 {
		return parley.Action{}, faultf(ErrBadMessage, "asked to extend by %d rounds", r.Extend)
	}
	a := parley.Action{Actor: c.actor, Rounds: r.Extend, Reason: r.Reason}
	if !allowed(c.kind, r.Type) {
		if r.Type == "" {
			return a, faultf(ErrBadMessage, "sent a message without a type: %s", snippet(line))
		}
		return a, faultf(ErrBadMessage, "sent %q to a %s turn (allowed: %s)", r.Type, c.kind, turnActions[c.kind])
	}
	switch r.Type {
	case TypeOffer:
		a.Kind, a.Outcome = parley.ActOffer, r.Bid
		return a, c.checkOutcome("an offer", r.Bid, false)
	case TypeAccept:
		a.Kind = parley.ActAccept
		if len(r.Bid) > 0 && !slices.Equal(r.Bid, c.offer) {
			return a, faultf(ErrBadMessage, "accepted %v, which is not the standing offer %v", r.Bid, c.offer)
		}
	case TypeEndNegotiation:
		a.Kind = parley.ActWalkAway
		if c.actor == parley.MediatorActor {
			a.Kind = parley.ActEnd
		}
	case TypeAnswer:
		a.Kind, a.Answers = parley.ActAnswer, r.Answers
		if n := len(c.m.Sizes); len(r.Answers) != n {
			return a, faultf(ErrBadMessage, "answered %d clauses, the text has %d (one answer per issue)", len(r.Answers), n)
		}
	case TypeText:
		a.Kind, a.Outcome = parley.ActText, r.Text
		return a, c.checkOutcome("a text", r.Text, true)
	case TypeExtend:
		a.Kind, a.Rounds = parley.ActExtend, r.Rounds
		if r.Rounds < 1 || r.Rounds > 1<<24 {
			return a, faultf(ErrBadMessage, "extended by %d rounds (want 1 or more)", r.Rounds)
		}
	}
	return a, nil
}

func allowed(k parley.TurnKind, typ string) bool {
	switch typ {
	case TypeEndNegotiation:
		return true
	case TypeOffer:
		return k == parley.TurnPropose || k == parley.TurnRespond
	case TypeAccept:
		return k == parley.TurnRespond
	case TypeAnswer:
		return k == parley.TurnAnswer
	case TypeText, TypeExtend:
		return k == parley.TurnText
	}
	return false
}

// checkOutcome checks an outcome's shape: one option per issue, in range
// (−1 allowed in a text).
func (c *Codec) checkOutcome(what string, o []int, blank bool) error {
	sizes := c.m.Sizes
	if len(o) != len(sizes) {
		return faultf(ErrBadMessage, "sent %s with %d options for %d issues", what, len(o), len(sizes))
	}
	for i, k := range o {
		if (k < 0 && !(blank && k == -1)) || k >= sizes[i] {
			return faultf(ErrBadMessage, "sent %s with option %d for issue %s, which has options 0..%d", what, k, c.m.Scenario.Issues[i].Name, sizes[i]-1)
		}
	}
	return nil
}

// jsonError words a JSON decoding error without Go type names.
func jsonError(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return "not JSON: " + se.Error()
	case errors.As(err, &te):
		if te.Field != "" {
			return fmt.Sprintf("field %q holds a %s", te.Field, te.Value)
		}
		return "not a JSON object"
	}
	return err.Error()
}
