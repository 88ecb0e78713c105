package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

// storeCounts is what the database holds of what the clients were
// acknowledged.
type storeCounts struct {
	sessions, events int // the clients' sessions and their acknowledged events
	// lost: acknowledged events not stored at their seq as acknowledged;
	// doubled: client actions stored beyond those acknowledged and those
	// left without an answer.
	lost, doubled int
	firstLost     string
}

// verify checks the database once the servers have stopped: every event
// acknowledged to a client is stored at its seq as it was acknowledged,
// each client action is stored once (no more than were acknowledged, or
// left unanswered), and every session's chain holds, as 'parley audit
// verify --db' finds. It prints what it found and returns the faults.
func (c *LoadtestCommand) verify(ctx context.Context, lt *load) (string, error) {
	db, err := openStore(c.DB, storeOptions{ReadOnly: true})
	if err != nil {
		return "", fmt.Errorf("loadtest: checking the database: %w", err)
	}
	var sc storeCounts
	for _, s := range lt.allSessions() {
		if err := checkStored(ctx, db, s, &sc); err != nil {
			db.Close()
			return "", fmt.Errorf("loadtest: checking session %s: %w", s.id, err)
		}
	}
	db.Close()
	fmt.Fprintf(c.Stdout, "stored: %d acknowledged events of %d sessions checked in the database: %d lost, %d client actions doubled\n",
		sc.events, sc.sessions, sc.lost, sc.doubled)
	audit := &AuditCommand{Main: c.Main, DB: c.DB}
	verdicts, err := audit.verifyDB(ctx)
	if err != nil {
		return "", fmt.Errorf("loadtest: audit verify --db: %w", err)
	}
	var broken []string
	events := int64(0)
	for _, v := range verdicts {
		events += v.Events
		if !v.Holds {
			broken = append(broken, v.String())
		}
	}
	fmt.Fprintf(c.Stdout, "audit: parley audit verify --db %s: %d sessions, %d events: %d chains hold, %d break\n",
		redactDB(c.DB), len(verdicts), events, len(verdicts)-len(broken), len(broken))
	var faults []string
	if sc.lost > 0 || sc.doubled > 0 {
		faults = append(faults, fmt.Sprintf("%d acknowledged events lost (first: %s), %d client actions doubled", sc.lost, sc.firstLost, sc.doubled))
	}
	if len(broken) > 0 {
		faults = append(faults, fmt.Sprintf("%d chains break (first: %s)", len(broken), broken[0]))
	}
	return strings.Join(faults, "; "), nil
}

// checkStored compares what s's client was acknowledged with the events
// stored for s.
func checkStored(ctx context.Context, es parley.EventStore, s *loadSession, sc *storeCounts) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc.sessions++
	sc.events += len(s.acked)
	stored := map[int64]protocol.Event{}
	ours := 0
	for from := int64(0); ; {
		page, err := es.FindEvents(ctx, s.id, from, parley.MaxFindEvents)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
		for _, rec := range page {
			var ev protocol.Event
			if err := json.Unmarshal(rec.Payload, &ev); err != nil {
				return fmt.Errorf("event %d: %w", rec.Seq, err)
			}
			if _, ok := s.ackedAt(rec.Seq); ok {
				stored[rec.Seq] = ev
			}
			if ev.Actor == s.play.party && (ev.Type == protocol.EvAction || ev.Type == protocol.EvCaucus) {
				ours++
			}
		}
		from = page[len(page)-1].Seq + 1
	}
	for _, a := range s.acked {
		seq := a.seq
		ev, ok := stored[seq]
		if !ok || ev.Type != a.typ || ev.Actor != a.actor {
			if sc.lost++; sc.firstLost == "" {
				sc.firstLost = fmt.Sprintf("session %s seq %d: acknowledged %s by %d, stored %q by %d", s.id, seq, a.typ, a.actor, ev.Type, ev.Actor)
			}
		}
	}
	if extra := ours - s.posted - s.unknown; extra > 0 {
		sc.doubled += extra
	}
	return nil
}
