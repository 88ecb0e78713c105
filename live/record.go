package live

import (
	"bufio"
	"context"
	"io"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

// Transcript writes the session's record for seat as a
// parley.transcript/1 file: the stored chain itself (the definition as its
// header, every stored event with its link, and a trailer with the head),
// up to the head read first; 'parley replay' and 'parley audit verify'
// check it. Only the mediator and observers may (EFORBIDDEN).
func (s *Session) Transcript(ctx context.Context, seat parley.Seat, w io.Writer) error {
	if err := mayReadRecord(seat); err != nil {
		return err
	}
	rec, err := s.m.Sessions.FindSession(ctx, s.id)
	if err != nil {
		return err
	}
	head, err := s.m.Events.ChainHead(ctx, s.id)
	if err != nil {
		return err
	}
	events := make([]parley.EventRecord, 0, head.Events)
	if err := s.records(ctx, 0, head.Events, func(r parley.EventRecord) error {
		events = append(events, r)
		return nil
	}); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := protocol.WriteRecords(bw, rec.Definition, events, head); err != nil {
		return err
	}
	return bw.Flush()
}

// StoredHead returns the chain head as the store has it now: what a seat
// compares with the other seats' (GET /api/sessions/{id}/head).
func (s *Session) StoredHead(ctx context.Context) (parley.ChainHead, error) {
	return s.m.Events.ChainHead(ctx, s.id)
}
