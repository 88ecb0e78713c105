package incidentcsv

import (
	"bytes"
	"fmt"
	"testing"
)

// BenchmarkReadACLED reads a 10,000-row ACLED export.
func BenchmarkReadACLED(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,actor2,country,admin1,location,latitude,longitude,geo_precision,fatalities,source,notes\n")
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&buf, "PAK%d,2025-11-%02d,1,Battles,Armed clash,Army,TTP,Pakistan,Khyber Pakhtunkhwa,Bajaur,34.%d,71.%d,2,3,Dawn; Express,\"note, with a comma\"\n", i, 1+i%28, i%1000, i%997)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := Read(bytes.NewReader(data), Options{})
		if err != nil || len(r.Incidents) != 10000 {
			b.Fatal(err, r.Err())
		}
	}
}
