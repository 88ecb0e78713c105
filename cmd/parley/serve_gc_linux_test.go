package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeGCPercent starts 'parley serve' with and without --gc-percent
// and with a GOGC variable, and reads the collector's target the server
// runs with from its debug endpoint: the flag wins, the environment wins
// over the default, and the default is defaultGCPercent.
func TestServeGCPercent(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOGC=") {
			env = append(env, kv)
		}
	}
	env = append(env, childEnv+"=1")
	for _, c := range []struct {
		name  string
		env   []string
		flags []string
		want  int
	}{
		{"default", nil, nil, defaultGCPercent},
		{"flag", nil, []string{"--gc-percent", "250"}, 250},
		{"environment", []string{"GOGC=150"}, nil, 150},
		{"environment off", []string{"GOGC=off"}, nil, -1},
		{"flag over environment", []string{"GOGC=off"}, []string{"--gc-percent=300"}, 300},
	} {
		t.Run(c.name, func(t *testing.T) {
			flags := append([]string{"--db", filepath.Join(t.TempDir(), "p.db"), "--debug-addr", "127.0.0.1:0"}, c.flags...)
			s, err := startServeProcess(os.Args[0], append(append([]string(nil), env...), c.env...), flags...)
			if err != nil {
				t.Fatal(err)
			}
			defer s.stop()
			b, status, err := request(context.Background(), http.DefaultClient, "GET", s.debug, "", nil)
			if err != nil || status != http.StatusOK {
				t.Fatalf("GET /debug/heap: %d %v %s", status, err, b)
			}
			var h DebugHeap
			if err := json.Unmarshal(b, &h); err != nil {
				t.Fatal(err)
			}
			if h.GCPercent != c.want {
				t.Errorf("gc_percent %d, want %d", h.GCPercent, c.want)
			}
		})
	}
}
