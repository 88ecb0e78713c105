package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/internal/pgtest"
	"github.com/parleyhq/parley/sqlite"
	"github.com/parleyhq/parley/storetest"
)

// simulated writes the transcript of a simulation of the built-in
// scenario and returns its path and lines.
func simulated(t *testing.T) (string, []string) {
	t.Helper()
	tr := filepath.Join(t.TempDir(), "t.jsonl")
	if _, errs, code := run(t, "simulate", "--variant", "before-recess", "--transcript", tr, "--seed", "3"); code != 0 {
		t.Fatalf("simulate: exit %d: %s", code, errs)
	}
	b, err := os.ReadFile(tr)
	if err != nil {
		t.Fatal(err)
	}
	return tr, strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func writeLines(t *testing.T, name string, lines []string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// parley replay refuses a transcript cut short, without its end marker or
// with a miscount, naming the line, where it used to say "matches".
func TestReplayRefusesIncompleteTranscripts(t *testing.T) {
	t.Parallel()
	tr, lines := simulated(t)
	n := len(lines) - 2 // events
	out, errs, code := run(t, "replay", tr)
	if code != 0 || !strings.Contains(out, fmt.Sprintf("replayed %d events", n)) || !strings.Contains(out, "chain holds, head ") {
		t.Fatalf("replay of the whole transcript: exit %d: %s%s", code, out, errs)
	}
	trailer := lines[len(lines)-1]
	for _, tc := range []struct {
		name  string
		lines []string
		want  string
	}{
		{"CutTail", lines[:5], "t.jsonl:6: protocol: transcript: chain breaks at seq 4: the record ends without its head (cut short?)"},
		{"HeaderOnly", lines[:1], "t.jsonl:2: protocol: transcript: chain breaks at seq 0: the record ends without its head"},
		{"NoTrailer", lines[:len(lines)-1], fmt.Sprintf("t.jsonl:%d: protocol: transcript: chain breaks at seq %d: the record ends without its head", n+2, n)},
		{"Miscount", append(append([]string{}, lines[:len(lines)-1]...), strings.Replace(trailer, fmt.Sprintf(`"events":%d`, n), fmt.Sprintf(`"events":%d`, n+4), 1)),
			fmt.Sprintf("t.jsonl:%d: protocol: transcript: chain breaks at seq %d: chain ends before its head: the chain has %d events, the head says %d", n+2, n, n, n+4)},
		{"LastEventGone", append(append([]string{}, lines[:len(lines)-2]...), trailer), fmt.Sprintf("chain breaks at seq %d: chain ends before its head", n-1)},
	} {
		path := writeLines(t, "t.jsonl", tc.lines)
		out, errs, code := run(t, "replay", path)
		if code != 2 || out != "" || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and %q", tc.name, code, out, errs, tc.want)
		}
	}
	// An old transcript (no chain, no trailer) is refused unless --legacy.
	strip := regexp.MustCompile(`,"prev":"[0-9a-f]{64}","hash":"[0-9a-f]{64}"}$`)
	old := []string{lines[0]}
	for _, l := range lines[1 : len(lines)-1] {
		old = append(old, strip.ReplaceAllString(l, "}"))
	}
	path := writeLines(t, "old.jsonl", old)
	if _, errs, code := run(t, "replay", path); code != 2 || !strings.Contains(errs, "old.jsonl:2:") || !strings.Contains(errs, "--legacy") {
		t.Errorf("old transcript: exit %d: %s", code, errs)
	}
	if out, errs, code := run(t, "replay", "--legacy", path); code != 0 || !strings.Contains(out, "matches the transcript; an old transcript without a hash chain") {
		t.Errorf("old transcript with --legacy: exit %d: %s%s", code, out, errs)
	}
	if _, errs, code := run(t, "replay", "--legacy", writeLines(t, "old.jsonl", old[:4])); code != 2 || !strings.Contains(errs, "without an end event") {
		t.Errorf("cut old transcript with --legacy: exit %d: %s", code, errs)
	}
}

// parley audit verify FILE.jsonl names the line and the first seq where
// the chain breaks after edits, deletions and reorderings.
func TestAuditVerifyTranscript(t *testing.T) {
	t.Parallel()
	tr, lines := simulated(t)
	n := len(lines) - 2
	out, errs, code := run(t, "audit", "verify", tr)
	if code != 0 || !regexp.MustCompile(fmt.Sprintf(`t.jsonl: chain holds: %d events, head [0-9a-f]{64}\n$`, n)).MatchString(out) {
		t.Fatalf("intact transcript: exit %d: %s%s", code, out, errs)
	}
	// The head printed is the trailer's.
	if !strings.Contains(lines[len(lines)-1], strings.TrimSpace(out[strings.LastIndex(out, " ")+1:])) {
		t.Errorf("head %q is not the trailer's %s", out, lines[len(lines)-1])
	}
	k := n / 2 // the event changed; it is on line k+2
	edit := append([]string{}, lines...)
	edit[k+1] = regexp.MustCompile(`"round":(\d+)`).ReplaceAllString(edit[k+1], `"round":9$1`)
	del := append(append([]string{}, lines[:k+1]...), lines[k+2:]...)
	swap := append([]string{}, lines...)
	swap[k+1], swap[k+2] = swap[k+2], swap[k+1]
	dup := append(append([]string{}, lines[:k+2]...), lines[k+1:]...)
	for _, tc := range []struct {
		name  string
		lines []string
		want  string
	}{
		{"Edit", edit, fmt.Sprintf(":%d: chain breaks at seq %d: hash does not match the event's content", k+2, k)},
		{"Delete", del, fmt.Sprintf(":%d: chain breaks at seq %d: found seq %d: event out of place", k+2, k, k+1)},
		{"Reorder", swap, fmt.Sprintf(":%d: chain breaks at seq %d: found seq %d: event out of place", k+2, k, k+1)},
		{"Insert", dup, fmt.Sprintf(":%d: chain breaks at seq %d: found seq %d: event out of place", k+3, k+1, k)},
		{"Truncate", lines[:k+2], fmt.Sprintf(":%d: chain breaks at seq %d: the record ends without its head", k+3, k+1)},
	} {
		out, errs, code := run(t, "audit", "verify", writeLines(t, "t.jsonl", tc.lines))
		if code != 2 || !strings.Contains(out, "t.jsonl"+tc.want) || !strings.Contains(errs, "audit: the chain breaks") {
			t.Errorf("%s: exit %d: %s%s; want %q", tc.name, code, out, errs, tc.want)
		}
	}
	// --json gives the same verdict as data.
	out, _, _ = run(t, "audit", "verify", "--json", writeLines(t, "t.jsonl", edit))
	var vs []verdict
	if err := json.Unmarshal([]byte(out), &vs); err != nil || len(vs) != 1 || vs[0].Holds || *vs[0].Break != int64(k) || vs[0].Line != k+2 {
		t.Errorf("--json: %v\n%s", err, out)
	}
	// Not a transcript at all is an error with a place, not a verdict.
	if out, errs, code := run(t, "audit", "verify", writeLines(t, "x.jsonl", []string{`{"schema":"parley.transcript/1"`})); code != 2 || out != "" || !strings.Contains(errs, "x.jsonl:1") {
		t.Errorf("broken JSON: exit %d: %s%s", code, out, errs)
	}
}

// storedDB writes a database with three sessions of n events each and
// returns its path and the sessions' IDs.
func storedDB(t *testing.T, n int) (string, []string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "parley.db")
	db := sqlite.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	ss, es := sqlite.NewSessionStore(db), sqlite.NewEventStore(db)
	var ids []string
	for i := range 3 {
		rec, _ := storetest.NewSession(t, ss, 2)
		if _, err := es.AppendEvents(context.Background(), rec.ID, 0, storetest.Events(fmt.Sprint(i), n)); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rec.ID)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path, ids
}

// tamper copies the database and runs SQL on the copy with the session's
// ID as its parameter.
func tamper(t *testing.T, path, session string, stmts ...string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cp := filepath.Join(t.TempDir(), "tampered.db")
	if err := os.WriteFile(cp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", cp)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, s := range stmts {
		if _, err := raw.Exec(s, sql.Named("s", session)); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return cp
}

// parley audit verify --db names the first seq where a stored chain
// breaks after raw SQL edits, deletions, reorderings and insertions.
func TestAuditVerifyDB(t *testing.T) {
	t.Parallel()
	const n = 10
	path, ids := storedDB(t, n)
	out, errs, code := run(t, "audit", "verify", "--db", path)
	if code != 0 || strings.Count(out, "chain holds: 10 events") != 3 {
		t.Fatalf("intact database: exit %d: %s%s", code, out, errs)
	}
	s := ids[1]
	for _, tc := range []struct {
		name  string
		stmts []string
		want  string
	}{
		{"EditPayload", []string{`UPDATE events SET payload = CAST('{"tag":"1","i":99}' AS BLOB) WHERE session = :s AND seq = 3`}, "chain breaks at seq 3: hash does not match the event's content"},
		{"EditType", []string{`UPDATE events SET type = 'end' WHERE session = :s AND seq = 6`}, "chain breaks at seq 6: hash does not match"},
		{"EditAudience", []string{`UPDATE events SET audience = 'party:1' WHERE session = :s AND seq = 0`}, "chain breaks at seq 0: hash does not match"},
		{"Delete", []string{`DELETE FROM events WHERE session = :s AND seq = 5`}, "chain breaks at seq 5: found seq 6: event out of place"},
		{"DeleteLast", []string{`DELETE FROM events WHERE session = :s AND seq = 9`}, "chain breaks at seq 9: chain ends before its head: the chain has 9 events, the head says 10"},
		{"Reorder", []string{
			`UPDATE events SET seq = -1 WHERE session = :s AND seq = 2`,
			`UPDATE events SET seq = 2 WHERE session = :s AND seq = 7`,
			`UPDATE events SET seq = 7 WHERE session = :s AND seq = -1`,
		}, "chain breaks at seq 2: prev hash does not link to the event before"},
		{"SwapContent", []string{
			`UPDATE events SET payload = (SELECT payload FROM events WHERE session = :s AND seq = 4) WHERE session = :s AND seq = 3`,
		}, "chain breaks at seq 3: hash does not match"},
		{"InsertForged", []string{
			`UPDATE events SET seq = seq + 1000 WHERE session = :s AND seq >= 4`,
			`UPDATE events SET seq = seq - 999 WHERE session = :s AND seq >= 1000`,
			`INSERT INTO events (session, seq, type, audience, payload, prev, hash) SELECT session, 4, type, audience, CAST('{"forged":1}' AS BLOB), hash, hash FROM events WHERE session = :s AND seq = 3`,
		}, "chain breaks at seq 4: hash does not match"},
		{"AppendPastHead", []string{
			`INSERT INTO events (session, seq, type, audience, payload, prev, hash) SELECT session, 10, type, audience, payload, hash, hash FROM events WHERE session = :s AND seq = 9`,
		}, "chain breaks at seq 10: chain goes past its head: the head says 10 events"},
		{"EditDefinition", []string{`UPDATE sessions SET definition = CAST('{"scenario":"edited"}' AS BLOB) WHERE id = :s`}, "chain breaks at seq 0: prev hash does not link"},
		{"EditHead", []string{`UPDATE heads SET head = (SELECT hash FROM events WHERE session = :s AND seq = 8) WHERE session = :s`}, "chain breaks at seq 9: head hash does not match the last event"},
	} {
		bad := tamper(t, path, s, tc.stmts...)
		out, errs, code := run(t, "audit", "verify", "--db", bad)
		if code != 2 || !strings.Contains(out, "session "+s+": "+tc.want) || strings.Count(out, "chain holds") != 2 || !strings.Contains(errs, "the chain breaks in 1 of 3 sessions") {
			t.Errorf("%s: exit %d: %s%s; want %q", tc.name, code, out, errs, tc.want)
		}
		out, _, code = run(t, "audit", "verify", "--db", bad, "--session", ids[0])
		if code != 0 || !strings.Contains(out, "session "+ids[0]+": chain holds") {
			t.Errorf("%s: --session of an untouched session: exit %d: %s", tc.name, code, out)
		}
	}
	// The audit opens the database read-only: it does not migrate or write.
	before, _ := os.ReadFile(path)
	if _, _, code := run(t, "audit", "verify", "--db", path, "--json"); code != 0 {
		t.Fatal("audit --json failed")
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("audit verify changed the database file")
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"audit", "verify", "--db", path, "--session", "nope"}, `session "nope" not found`},
		{[]string{"audit", "verify", "--db", filepath.Join(t.TempDir(), "absent.db")}, "no such file"},
		{[]string{"audit", "verify"}, "either --db FILE"},
		{[]string{"audit", "check"}, `unknown audit subcommand "check"`},
		{[]string{"audit", "verify", "--db", path, "x.jsonl"}, "either --db FILE"},
	} {
		if _, errs, code := run(t, tc.args...); code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d: %s; want %q", tc.args, code, errs, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(path), "absent.db")); err == nil {
		t.Error("audit verify created a database")
	}
}

// storedPG writes three sessions of n events each into a new PostgreSQL
// database (a schema of the test cluster) and returns its URL and the
// sessions' IDs.
func storedPG(t *testing.T, n int) (string, []string) {
	t.Helper()
	url := pgtest.URL(t)
	db, err := openStore(url, false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ids []string
	for i := range 3 {
		rec, _ := storetest.NewSession(t, db, 2)
		if _, err := db.AppendEvents(context.Background(), rec.ID, 0, storetest.Events(fmt.Sprint(i), n)); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rec.ID)
	}
	return url, ids
}

// parley audit verify --db postgres://... checks the chains stored in
// PostgreSQL as it does SQLite's, read-only, and names the first broken
// seq after raw SQL edits.
func TestAuditVerifyPostgres(t *testing.T) {
	t.Parallel()
	const n = 10
	url, ids := storedPG(t, n)
	out, errs, code := run(t, "audit", "verify", "--db", url)
	if code != 0 || strings.Count(out, "chain holds: 10 events") != 3 {
		t.Fatalf("intact database: exit %d: %s%s", code, out, errs)
	}
	if out, _, code := run(t, "audit", "verify", "--db", url, "--session", ids[2], "--json"); code != 0 || !strings.Contains(out, `"holds": true`) {
		t.Errorf("--session --json: exit %d: %s", code, out)
	}
	for _, tc := range []struct {
		name  string
		stmts []string
		want  string
	}{
		{"EditPayload", []string{`UPDATE events SET payload = convert_to('{"tag":"1","i":99}', 'UTF8') WHERE session = $1 AND seq = 3`}, "chain breaks at seq 3: hash does not match the event's content"},
		{"Delete", []string{`DELETE FROM events WHERE session = $1 AND seq = 5`}, "chain breaks at seq 5: found seq 6: event out of place"},
		{"DeleteLast", []string{`DELETE FROM events WHERE session = $1 AND seq = 9`}, "chain breaks at seq 9: chain ends before its head"},
		{"EditDefinition", []string{`UPDATE sessions SET definition = convert_to('{"scenario":"edited"}', 'UTF8') WHERE id = $1`}, "chain breaks at seq 0: prev hash does not link"},
		{"EditHead", []string{`UPDATE heads SET head = (SELECT hash FROM events WHERE session = $1 AND seq = 8) WHERE session = $1`}, "chain breaks at seq 9: head hash does not match the last event"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url, ids := storedPG(t, n)
			for _, s := range tc.stmts {
				if err := pgExec(url, s, ids[1]); err != nil {
					t.Fatalf("%s: %v", s, err)
				}
			}
			out, errs, code := run(t, "audit", "verify", "--db", url)
			if code != 2 || !strings.Contains(out, "session "+ids[1]+": "+tc.want) || strings.Count(out, "chain holds") != 2 {
				t.Errorf("exit %d: %s%s; want %q", code, out, errs, tc.want)
			}
		})
	}
	// Read-only: an empty schema is refused, not migrated.
	empty := pgtest.URL(t)
	if _, errs, code := run(t, "audit", "verify", "--db", empty); code != 2 || !strings.Contains(errs, "not a parley database") {
		t.Errorf("empty schema: exit %d: %s", code, errs)
	}
	if _, errs, code := run(t, "audit", "verify", "--db", empty); code != 2 || !strings.Contains(errs, "not a parley database") {
		t.Errorf("empty schema, again (the audit must not have migrated it): exit %d: %s", code, errs)
	}
	if _, errs, code := run(t, "audit", "verify", "--db", "postgres://postgres@127.0.0.1:1/postgres?connect_timeout=5"); code != 2 || !strings.Contains(errs, "cannot connect to 127.0.0.1:1/postgres") {
		t.Errorf("no server: exit %d: %s", code, errs)
	}
	if _, errs, code := run(t, "audit", "verify", "--db", "postgres://u:secret@[::1"); code != 2 || strings.Contains(errs, "secret") {
		t.Errorf("bad URL: exit %d: %s (the password must not show)", code, errs)
	}
}

func pgExec(url, sql string, args ...any) error {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql, args...)
	return err
}
