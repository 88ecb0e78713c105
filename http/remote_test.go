package http_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/agentwire"
	"github.com/parleyhq/parley/protocol"
)

// remoteAgent is a remote agent as a program on another machine would be:
// it dials the agent WebSocket with its seat's token and speaks
// parley.agent/1. It plays time-dependent concession on its own profile
// (Boulware, e = 0.2): it accepts an offer worth its current target and
// otherwise offers the outcome nearest above the target; it accepts every
// clause a mediator proposes.
type remoteAgent struct {
	t        *testing.T
	ws       *websocket.Conn
	settings agentwire.Settings
	bids     [][]int   // every outcome, by falling utility
	utils    []float64 // their utilities
	done     []agentwire.ActionDone
	turn     *agentwire.YourTurn // the last your_turn
	finished *agentwire.Finished
}

// wsURL is the agent endpoint of a session.
func (s *server) wsURL(id string) string {
	return "ws" + strings.TrimPrefix(s.url, "http") + "/api/sessions/" + id + "/agent"
}

// dial connects to the agent endpoint with token; on a refusal it returns
// the HTTP status and the body of the error.
func (s *server) dial(id, token string) (*websocket.Conn, int, string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	ws, res, err := websocket.Dial(ctx, s.wsURL(id), &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		if res == nil {
			s.t.Fatalf("dial: %v", err)
		}
		body, _ := io.ReadAll(res.Body)
		return nil, res.StatusCode, string(body)
	}
	return ws, http.StatusSwitchingProtocols, ""
}

// connect dials as the agent of a seat and reads its settings.
func connect(t *testing.T, s *server, id, token string) *remoteAgent {
	t.Helper()
	ws, status, body := s.dial(id, token)
	if ws == nil {
		t.Fatalf("the remote seat's connection was refused: %d %s", status, body)
	}
	a := &remoteAgent{t: t, ws: ws}
	var typ string
	raw := a.recv(&typ)
	if typ != agentwire.TypeSettings {
		t.Fatalf("the first message is %s, not settings: %s", typ, raw)
	}
	if err := json.Unmarshal(raw, &a.settings); err != nil {
		t.Fatal(err)
	}
	a.enumerate()
	return a
}

// recv reads the next message and its type.
func (a *remoteAgent) recv(typ *string) []byte {
	a.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	mt, raw, err := a.ws.Read(ctx)
	if err != nil {
		a.t.Fatalf("reading from the server: %v", err)
	}
	if mt != websocket.MessageText {
		a.t.Fatalf("a %v message; the protocol's are text", mt)
	}
	var head struct{ Type string }
	if err := json.Unmarshal(raw, &head); err != nil {
		a.t.Fatalf("not JSON: %s", raw)
	}
	*typ = head.Type
	return raw
}

// next reads messages up to the next your_turn (true) or finished
// (false), keeping the action_done messages.
func (a *remoteAgent) next() bool {
	a.t.Helper()
	for {
		var typ string
		raw := a.recv(&typ)
		var err error
		switch typ {
		case agentwire.TypeActionDone:
			var d agentwire.ActionDone
			err = json.Unmarshal(raw, &d)
			a.done = append(a.done, d)
		case agentwire.TypeYourTurn:
			a.turn = &agentwire.YourTurn{}
			err = json.Unmarshal(raw, a.turn)
		case agentwire.TypeFinished:
			a.finished = &agentwire.Finished{}
			if err = json.Unmarshal(raw, a.finished); err == nil {
				return false
			}
		default:
			a.t.Fatalf("unexpected message: %s", raw)
		}
		if err != nil {
			a.t.Fatalf("%s: %v", raw, err)
		}
		if typ == agentwire.TypeYourTurn {
			return true
		}
	}
}

// enumerate lists every outcome of the (small) domain by its utility.
func (a *remoteAgent) enumerate() {
	issues := a.settings.Domain.Issues
	o := make([]int, len(issues))
	for {
		a.bids = append(a.bids, slices.Clone(o))
		i := 0
		for ; i < len(o); i++ {
			if o[i]++; o[i] < len(issues[i].Options) {
				break
			}
			o[i] = 0
		}
		if i == len(o) {
			break
		}
	}
	u := map[int]float64{}
	for k, b := range a.bids {
		u[k] = a.utility(b)
	}
	idx := make([]int, len(a.bids))
	for k := range idx {
		idx[k] = k
	}
	slices.SortStableFunc(idx, func(x, y int) int {
		if u[x] > u[y] {
			return -1
		}
		if u[x] < u[y] {
			return 1
		}
		return 0
	})
	bids := make([][]int, len(idx))
	a.utils = make([]float64, len(idx))
	for k, j := range idx {
		bids[k], a.utils[k] = a.bids[j], u[j]
	}
	a.bids = bids
}

// utility is the agent's utility of an outcome, from its profile.
func (a *remoteAgent) utility(o []int) float64 {
	p := a.settings.Profile
	u := 0.0
	for i, k := range o {
		u += p.Values[i][k]
	}
	for _, r := range p.Rects {
		in := true
		for _, set := range r.Region {
			in = in && slices.Contains(set.Options, o[set.Issue])
		}
		if in {
			u += r.Utility
		}
	}
	return u
}

// decide answers the last your_turn.
func (a *remoteAgent) decide() agentwire.Reply {
	t := a.turn
	r := agentwire.Reply{Turn: t.Turn}
	if t.Kind == parley.TurnAnswer {
		r.Type = agentwire.TypeAnswer
		for _, c := range t.Text {
			ans := parley.AnswerNone
			if c.State == parley.ClauseProposed {
				ans = parley.AnswerAccept
			}
			r.Answers = append(r.Answers, ans)
		}
		return r
	}
	best, res := a.utils[0], a.settings.Profile.Reservation
	target := best - (best-res)*math.Pow(t.T, 1/0.2)
	if t.Kind == parley.TurnRespond && a.utility(t.Offer) >= target {
		r.Type = agentwire.TypeAccept
		return r
	}
	k := 0
	for k+1 < len(a.utils) && a.utils[k+1] >= target {
		k++
	}
	r.Type, r.Bid = agentwire.TypeOffer, a.bids[k]
	return r
}

// send writes one message.
func (a *remoteAgent) send(v any) {
	a.t.Helper()
	raw, ok := v.([]byte)
	if !ok {
		var err error
		if raw, err = json.Marshal(v); err != nil {
			a.t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.ws.Write(ctx, websocket.MessageText, raw); err != nil {
		a.t.Fatal(err)
	}
}

// closed reads until the server closes the connection and returns the
// close status and reason.
func (a *remoteAgent) closed() (websocket.StatusCode, string) {
	a.t.Helper()
	code, reason, err := a.closing()
	if err != nil {
		a.t.Fatal(err)
	}
	return code, reason
}

// closing is closed for another goroutine than the test's: it returns
// what went wrong.
func (a *remoteAgent) closing() (websocket.StatusCode, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		_, _, err := a.ws.Read(ctx)
		if err == nil {
			continue
		}
		var ce websocket.CloseError
		if !errors.As(err, &ce) {
			return 0, "", fmt.Errorf("the connection ended without a close frame: %v", err)
		}
		return ce.Code, ce.Reason, nil
	}
}

// waitSeat waits until the view shows the seat's agent (dis)connected.
func waitSeat(t *testing.T, s *server, id, token, seat string, connected bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		for _, st := range s.view(id, token).Seats {
			if st.Name == seat && st.Connected == connected {
				return
			}
		}
	}
	t.Fatalf("seat %s never showed connected=%v", seat, connected)
}

// TestRemoteAgent plays a whole negotiation with a remote agent over the
// WebSocket: istanbul-2025 under alternating offers, Pakistan the
// built-in conceder, Afghanistan the remote Boulware above. The agent
// gets its own profile only; a second connection to its seat is refused
// while it is connected; it drops its connection mid-way, the session
// waits for it, and when it connects again it is told every action again
// and handed its turn afresh; the server restarts under it and it goes
// on on the new one; the negotiation ends in an agreement, the
// agent's finished message says what the view and the transcript say.
func TestRemoteAgent(t *testing.T) {
	t.Parallel()
	s := start(t, "")
	c := s.create(map[string]any{"scenario": "istanbul-2025", "protocol": "sao", "deadline": 60,
		"seats": map[string]string{"Pakistan": "conceder", "Afghanistan": "remote"}})
	tok := tokens(c)
	id := c.ID
	a := connect(t, s, id, tok["Afghanistan"])
	st := a.settings
	if st.Protocol != agentwire.Version || st.Seat != parley.PartySeat(1) || st.Party != 1 || st.Negotiation != parley.ProtocolSAO ||
		st.Deadline.Rounds != 60 || !slices.Equal(st.Parties, []string{"Pakistan", "Afghanistan"}) || st.Profile == nil {
		t.Fatalf("settings: %+v", st)
	}
	if len(st.Profile.Values) != len(st.Domain.Issues) || st.Profile.Factions != nil {
		t.Fatalf("the profile is not Afghanistan's own: %+v", st.Profile)
	}
	waitSeat(t, s, id, tok["observer"], "Afghanistan", true)
	if ws, status, body := s.dial(id, tok["Afghanistan"]); ws != nil || status != http.StatusConflict || !strings.Contains(body, `"conflict"`) {
		t.Fatalf("a second connection to a connected seat: %d %s", status, body)
	}

	turns := 0
	for ; turns < 3; turns++ {
		if !a.next() {
			t.Fatalf("finished after %d turns: %+v", turns, a.finished)
		}
		a.send(a.decide())
	}
	// Drop the connection while the session goes on without the agent.
	_ = a.ws.Close(websocket.StatusNormalClosure, "back soon")
	waitSeat(t, s, id, tok["observer"], "Afghanistan", false)
	if v := s.view(id, tok["observer"]); v.Move == nil || v.Move.Name != "Afghanistan" || v.Result.End != parley.Running {
		t.Fatalf("without its agent the session does not wait for Afghanistan: move %v, %s", v.Move, v.Result.End)
	}

	b := connect(t, s, id, tok["Afghanistan"])
	if !b.next() {
		t.Fatal("the reconnected agent got no turn")
	}
	pakistan := 0
	for _, ev := range s.view(id, tok["observer"]).Events {
		if ev.Type == protocol.EvAction && ev.Actor == 0 {
			pakistan++
		}
	}
	if b.turn.Turn != 1 || len(b.done) != pakistan || pakistan < 4 {
		t.Fatalf("on reconnecting: turn %d, told %d actions; Pakistan has made %d", b.turn.Turn, len(b.done), pakistan)
	}
	// Two turns on this connection, then the server restarts under it:
	// the agent is told the server is going away, and on the new server
	// it connects again and goes on from the same turn.
	for i := 0; i < 2; i++ {
		b.send(b.decide())
		if turns++; !b.next() {
			t.Fatal("finished before the restart")
		}
	}
	closed := make(chan error, 1)
	go func() { // read, as an agent does, while the server shuts down
		code, _, err := b.closing()
		if err == nil && code != websocket.StatusGoingAway {
			err = fmt.Errorf("closed with %v at shutdown", code)
		}
		closed <- err
	}()
	s.stop()
	if err := <-closed; err != nil {
		t.Error(err)
	}
	s = start(t, s.path)
	b = connect(t, s, id, tok["Afghanistan"])
	if !b.next() {
		t.Fatal("the agent got no turn after the restart")
	}
	for more := true; more; more = b.next() {
		b.send(b.decide())
		if turns++; turns > 100 {
			t.Fatal("no end after 100 turns")
		}
	}
	if code, _ := b.closed(); code != websocket.StatusNormalClosure {
		t.Errorf("closed with %v after finished", code)
	}
	v := s.view(id, tok["observer"])
	f := b.finished
	if v.Result.End != parley.Agreement || f.End != "agreement" || !slices.Equal(f.Agreement, v.Result.Agreement) {
		t.Fatalf("the session ended %s (%s); the agent was told %+v", v.Result.End, v.Result.Why, f)
	}
	if u := b.utility(f.Agreement); f.Utility == nil || math.Abs(*f.Utility-u) > 1e-9 {
		t.Errorf("finished says utility %v; the agreement is worth %v to the agent", f.Utility, u)
	}
	checkTranscript(t, s, id, tok["observer"], parley.Agreement)
}

// TestRemoteAgentRefused: the agent endpoint opens only with the token of
// a remote seat of this session, once at a time, and only as a WebSocket.
func TestRemoteAgentRefused(t *testing.T) {
	t.Parallel()
	s := start(t, "")
	spec := map[string]any{"scenario": "istanbul-2025", "protocol": "sao", "seats": map[string]string{"Pakistan": "conceder", "Afghanistan": "remote"}}
	c, other := s.create(spec), s.create(spec)
	tok := tokens(c)
	forged, _ := parley.NewToken()
	for _, tc := range []struct {
		who, token string
		status     int
		code       string
	}{
		{"no token", "", 401, parley.EUNAUTHORIZED},
		{"forged", forged, 401, parley.EUNAUTHORIZED},
		{"the remote seat of another session", tokens(other)["Afghanistan"], 401, parley.EUNAUTHORIZED},
		{"a human seat", tok["observer"], 403, parley.EFORBIDDEN},
	} {
		ws, status, body := s.dial(c.ID, tc.token)
		if ws != nil || status != tc.status || !strings.Contains(body, `"code":"`+tc.code+`"`) {
			t.Errorf("%s: %d %s, want %d %s", tc.who, status, body, tc.status, tc.code)
		}
	}
	if r := s.call("GET", "/api/sessions/"+c.ID+"/agent", tok["Afghanistan"], nil); r.status != http.StatusBadRequest || !strings.Contains(r.String(), "WebSocket") {
		t.Errorf("a plain GET by the remote seat: %d %s", r.status, r)
	}
	// The refused requests did not hold the seat.
	a := connect(t, s, c.ID, tok["Afghanistan"])
	a.ws.CloseNow()
	// Once the server has seen the first go, the seat takes another.
	waitSeat(t, s, c.ID, tok["observer"], "Afghanistan", false)
	b := connect(t, s, c.ID, tok["Afghanistan"])
	b.ws.CloseNow()
}

// TestRemoteAgentFaults: an agent that does not answer within the turn
// timeout, or answers what the protocol does not allow, ends the
// negotiation with an agent error naming the seat and the fault; the
// connection is closed as a policy violation with the same words.
func TestRemoteAgentFaults(t *testing.T) {
	t.Parallel()
	quick := start(t, "", func(s *server) { s.m.AgentTimeout = 200 * time.Millisecond })
	patient := start(t, "") // the default 10 s: a loaded machine does not turn a fault into a timeout
	for _, tc := range []struct {
		name  string
		reply func(turn int64) any // nil: stay silent
		why   string
	}{
		{"silent", nil, "did not answer turn 1 within 200ms"},
		{"garbage", func(int64) any { return []byte(`{"type":"offer",`) }, "wrote a line that is not a valid message"},
		{"short bid", func(n int64) any { return agentwire.Reply{Type: "offer", Turn: n, Bid: []int{0}} }, "sent an offer with 1 options for 7 issues"},
		{"wrong turn", func(n int64) any { return agentwire.Reply{Type: "accept", Turn: n + 4} }, "answered out of turn"},
		{"no turn", func(int64) any { return agentwire.Reply{Type: "accept"} }, "without its turn number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := patient
			if tc.reply == nil {
				s = quick
			}
			c := s.create(map[string]any{"scenario": "istanbul-2025", "protocol": "sao", "seats": map[string]string{"Pakistan": "conceder", "Afghanistan": "remote"}})
			tok := tokens(c)
			a := connect(t, s, c.ID, tok["Afghanistan"])
			if !a.next() {
				t.Fatal("no turn")
			}
			if tc.reply != nil {
				a.send(tc.reply(a.turn.Turn))
			}
			code, reason := a.closed()
			v := s.view(c.ID, tok["observer"])
			want := "party Afghanistan (agent remote): " + tc.why
			if v.Result.End != parley.AgentError || !strings.HasPrefix(v.Result.Why, "party Afghanistan (agent remote): ") || !strings.Contains(v.Result.Why, tc.why) {
				t.Fatalf("the session ended %s: %q; want an agent error %q", v.Result.End, v.Result.Why, want)
			}
			if code != websocket.StatusPolicyViolation || !strings.HasPrefix(v.Result.Why, strings.TrimSuffix(reason, "...")) {
				t.Errorf("closed with %v %q; the session says %q", code, reason, v.Result.Why)
			}
			checkTranscript(t, s, c.ID, tok["observer"], parley.AgentError)
		})
	}
}

// TestRemoteAgentLapse: on the session calendar, the remote seat's turn
// lapses while its agent thinks; the agent is handed its next turn, and
// its late reply to the lapsed one is ignored, not taken for the new turn
// nor held against it.
func TestRemoteAgentLapse(t *testing.T) {
	t.Parallel()
	s := start(t, "")
	c := s.create(map[string]any{"scenario": "istanbul-2025", "protocol": "sao", "hour": "1m",
		"seats": map[string]string{"Pakistan": "conceder", "Afghanistan": "remote"}})
	tok := tokens(c)
	a := connect(t, s, c.ID, tok["Afghanistan"])
	if !a.next() || a.turn.Turn != 1 {
		t.Fatalf("first turn: %+v", a.turn)
	}
	late := a.decide()
	late.Type, late.Bid = agentwire.TypeAccept, nil // accepting would end it, were it taken
	v := s.view(c.ID, tok["observer"])
	if v.Clock.TurnDeadline == nil {
		t.Fatal("no turn deadline on the calendar")
	}
	s.clock.add(v.Clock.TurnDeadline.Sub(s.clock.now()) + time.Second)
	if err := s.m.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !a.next() || a.turn.Turn != 2 {
		t.Fatalf("after the lapse: %+v", a.turn)
	}
	a.send(late)
	a.send(a.decide())
	if !a.next() || a.turn.Turn != 3 {
		t.Fatalf("after answering turn 2: %+v", a.turn)
	}
	v = s.view(c.ID, tok["observer"])
	lapses, mine := 0, 0
	for _, ev := range v.Events {
		switch {
		case ev.Type == protocol.EvLapse && ev.Actor == 1:
			lapses++
		case ev.Type == protocol.EvAction && ev.Actor == 1:
			mine++
			if ev.Action.Kind == parley.ActAccept {
				t.Error("the late accept was taken")
			}
		}
	}
	if v.Result.End != parley.Running || lapses != 1 || mine != 1 {
		for _, ev := range v.Events {
			t.Logf("%d %s actor %d round %d", ev.Seq, ev.Type, ev.Actor, ev.Round)
		}
		t.Fatalf("%s (%s): Afghanistan's turn lapsed %d times and it acted %d times; want 1 and 1", v.Result.End, v.Result.Why, lapses, mine)
	}
	a.ws.CloseNow()
}

// TestRemoteAgentMediated: a remote party answers the mediator's single
// text clause by clause (istanbul-2025, the nash mediator and Pakistan's
// delegate built in) until the text is agreed; it never hears Pakistan's
// answers, only the texts.
func TestRemoteAgentMediated(t *testing.T) {
	t.Parallel()
	s := start(t, "")
	c := s.create(map[string]any{"scenario": "istanbul-2025", "deadline": 10,
		"seats": map[string]string{"mediator": "nash", "Pakistan": "delegate:floor=-1", "Afghanistan": "remote"}})
	tok := tokens(c)
	a := connect(t, s, c.ID, tok["Afghanistan"])
	if a.settings.Negotiation != parley.ProtocolMediated || a.settings.Party != 1 {
		t.Fatalf("settings: %+v", a.settings)
	}
	for turns := 0; a.next(); turns++ {
		if a.turn.Kind != parley.TurnAnswer || len(a.turn.Text) != len(a.settings.Domain.Issues) || turns > 10 {
			t.Fatalf("turn %d: %+v", turns, a.turn)
		}
		a.send(a.decide())
	}
	if code, _ := a.closed(); code != websocket.StatusNormalClosure {
		t.Errorf("closed with %v after finished", code)
	}
	for _, d := range a.done {
		if d.Actor != -1 || d.Action != "text" {
			t.Errorf("the remote party was told %+v; it should hear only the mediator's texts", d)
		}
	}
	v := s.view(c.ID, tok["observer"])
	if v.Result.End != parley.Agreement || a.finished.End != "agreement" || !slices.Equal(a.finished.Agreement, v.Result.Agreement) {
		t.Fatalf("ended %s (%s); the agent was told %+v", v.Result.End, v.Result.Why, a.finished)
	}
	checkTranscript(t, s, c.ID, tok["observer"], parley.Agreement)
}
