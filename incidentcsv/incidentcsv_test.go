package incidentcsv

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// render is a Result as text: one JSON incident a line, then the errors.
func render(t *testing.T, r *Result) string {
	var b strings.Builder
	b.WriteString("format: " + r.Format.String() + "\n")
	b.WriteString("rows: " + strconv.Itoa(r.Rows) + ", bad rows: " + strconv.Itoa(r.BadRows) + "\n")
	for _, in := range r.Incidents {
		j, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(j)
		b.WriteByte('\n')
	}
	for _, e := range r.Errors {
		b.WriteString("error: " + e.Error() + "\n")
	}
	return b.String()
}

// TestGolden reads the fixtures in both layouts, broken rows included, and
// compares with testdata/*.golden (run with -update to rewrite them).
func TestGolden(t *testing.T) {
	for _, name := range []string{"acled", "ucdp", "broken"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", name+".csv")
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Read(bytes.NewReader(data), Options{File: path, ReportedBy: "test"})
			if err != nil {
				t.Fatal(err)
			}
			got := render(t, r)
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("%s differs from %s:\n%s", path, golden, got)
			}
			checkProperties(t, data, r)
		})
	}
}

func TestFileErrors(t *testing.T) {
	tests := []struct {
		name, in, msg string
		line, col     int
	}{
		{"Empty", "", "empty file", 1, 0},
		{"Unknown", "a,b,c\n1,2,3\n", "unknown layout", 1, 0},
		{"MissingColumns", "event_id_cnty,event_date\nX,2025-01-01\n", "missing required column(s) event_type, actor1, fatalities", 1, 0},
		{"UCDPMissing", "id,date_start,side_a\n1,2025-01-01,A\n", "ucdp layout: missing required column(s) side_b, best", 1, 0},
		{"Repeated", "event_id_cnty,event_date,event_date\n", `column "event_date" appears twice (columns 2 and 3)`, 1, 3},
		{"HeaderQuote", "event_id_cnty,\"event_date\n", "CSV syntax", 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.in), Options{File: "x.csv"})
			if err == nil || !strings.Contains(err.Error(), tt.msg) || parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("error %v, want %q", err, tt.msg)
			}
			pe, ok := err.(*parley.PosError)
			if !ok || pe.File != "x.csv" || pe.Line != tt.line || (tt.col > 0 && pe.Column != tt.col) {
				t.Errorf("position of %v, want %d:%d", err, tt.line, tt.col)
			}
		})
	}
	// A layout forced against the header.
	if _, err := Read(strings.NewReader("event_id_cnty,event_date,event_type,actor1,fatalities\n"), Options{Format: UCDP}); err == nil || !strings.Contains(err.Error(), "missing required column(s) id, date_start") {
		t.Errorf("forced layout: %v", err)
	}
}

// checkProperties asserts what holds for any input Read accepts: every
// data row is an incident or a reported error, errors carry a position and
// a known column, incidents are well formed with unique keys, reading is
// deterministic, and writing the incidents back as ACLED CSV reads back to
// the same incidents.
func checkProperties(t *testing.T, data []byte, r *Result) {
	t.Helper()
	if len(r.Incidents)+r.BadRows != r.Rows {
		t.Fatalf("%d incidents + %d bad rows != %d rows: a row was dropped silently", len(r.Incidents), r.BadRows, r.Rows)
	}
	if (r.BadRows == 0) != (len(r.Errors)+r.MoreErrors == 0) {
		t.Fatalf("%d bad rows but %d errors", r.BadRows, len(r.Errors)+r.MoreErrors)
	}
	cols := map[string]bool{"": true}
	for _, c := range append(acledColumns, ucdpColumns...) {
		cols[c.name] = true
	}
	for _, e := range r.Errors {
		if e.Line < 1 && e.Column == 0 && !strings.Contains(e.Error(), "reading") {
			t.Errorf("error without a line: %v", e)
		}
		if !cols[e.Path] {
			t.Errorf("error names an unknown column %q: %v", e.Path, e)
		}
		if parley.ErrorCode(e) != parley.EINVALID {
			t.Errorf("error code %q: %v", parley.ErrorCode(e), e)
		}
	}
	keys := map[string]bool{}
	for _, in := range r.Incidents {
		if in.Key == "" || in.Key != in.Dataset+":"+in.ID || keys[in.Key] {
			t.Fatalf("bad or repeated key %q", in.Key)
		}
		keys[in.Key] = true
		if _, err := time.Parse(parley.DateLayout, in.Date); err != nil {
			t.Fatalf("incident %s: date %q", in.Key, in.Date)
		}
		if in.Latitude != nil && (*in.Latitude < -90 || *in.Latitude > 90) || in.Longitude != nil && (*in.Longitude < -180 || *in.Longitude > 180) {
			t.Fatalf("incident %s: coordinates out of range", in.Key)
		}
		if (in.Latitude == nil) != (in.Longitude == nil) {
			t.Fatalf("incident %s: one coordinate", in.Key)
		}
		if in.Fatalities < 0 {
			t.Fatalf("incident %s: fatalities %d", in.Key, in.Fatalities)
		}
	}
	again, err := Read(bytes.NewReader(data), Options{File: "again", ReportedBy: r0(r)})
	if err != nil || !reflect.DeepEqual(again.Incidents, r.Incidents) || again.Rows != r.Rows || len(again.Errors) != len(r.Errors) {
		t.Fatalf("reading twice differs: %v", err)
	}
	if r.Format != ACLED || len(r.Incidents) == 0 {
		return
	}
	var buf bytes.Buffer
	writeACLED(t, &buf, r.Incidents)
	back, err := Read(&buf, Options{File: "roundtrip", ReportedBy: r0(r)})
	if err != nil {
		t.Fatalf("round trip: %v\n%s", err, buf.String())
	}
	if back.BadRows != 0 || !reflect.DeepEqual(back.Incidents, r.Incidents) {
		t.Fatalf("round trip differs: %v\nwrote:\n%s", back.Err(), buf.String())
	}
}

func r0(r *Result) string {
	if len(r.Incidents) > 0 {
		return r.Incidents[0].ReportedBy
	}
	return ""
}

// writeACLED writes incidents with ACLED's columns (a test helper for the
// round trip).
func writeACLED(t *testing.T, buf *bytes.Buffer, ins []parley.Incident) {
	w := csv.NewWriter(buf)
	head := []string{"event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "actor2", "country", "admin1", "admin2", "location", "latitude", "longitude", "geo_precision", "fatalities", "source", "notes"}
	if err := w.Write(head); err != nil {
		t.Fatal(err)
	}
	prec := map[parley.DatePrecision]string{parley.PrecisionUnknown: "", parley.PrecisionDay: "1", parley.PrecisionWeek: "2", parley.PrecisionMonth: "3"}
	f := func(x *float64) string {
		if x == nil {
			return ""
		}
		return strconv.FormatFloat(*x, 'g', -1, 64)
	}
	for _, in := range ins {
		gp := ""
		if in.GeoPrecision > 0 {
			gp = strconv.Itoa(in.GeoPrecision)
		}
		rec := []string{in.ID, in.Date, prec[in.Precision], in.EventType, in.SubEventType, in.Actor1, in.Actor2, in.Country, in.Admin1, in.Admin2, in.Location,
			f(in.Latitude), f(in.Longitude), gp, strconv.Itoa(in.Fatalities), strings.Join(in.Sources, "; "), in.Notes}
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
}

// FuzzRead feeds arbitrary bytes (seeded with the fixtures and their
// edits) to Read and checks the properties of checkProperties.
func FuzzRead(f *testing.F) {
	for _, name := range []string{"acled", "ucdp", "broken"} {
		data, err := os.ReadFile(filepath.Join("testdata", name+".csv"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("event_id_cnty,event_date,event_type,actor1,fatalities\nX1,1 January 2025,Battles,A,0\n"))
	f.Add([]byte("id,date_start,side_a,side_b,best,low,high,date_end\n1,2025-01-02,A,B,3,4,2,2025-01-01\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Read(bytes.NewReader(data), Options{File: "fuzz"})
		if err != nil {
			if parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("error code %q: %v", parley.ErrorCode(err), err)
			}
			return
		}
		checkProperties(t, data, r)
	})
}
