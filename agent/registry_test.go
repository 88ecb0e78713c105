package agent

import (
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
)

func TestNewKnownSpecs(t *testing.T) {
	t.Parallel()
	for spec, check := range map[string]func(parley.Agent) bool{
		"boulware":            func(a parley.Agent) bool { return a.(*TimeDependent).Exponent == 0.2 },
		"boulware:e=0.1":      func(a parley.Agent) bool { return a.(*TimeDependent).Exponent == 0.1 },
		" linear ":            func(a parley.Agent) bool { return a.(*TimeDependent).Exponent == 1 },
		"conceder":            func(a parley.Agent) bool { return a.(*TimeDependent).Exponent == 2 },
		"timedependent:e=3":   func(a parley.Agent) bool { return a.(*TimeDependent).Exponent == 3 },
		"titfortat":           func(a parley.Agent) bool { _, ok := a.(*TitForTat); return ok },
		"hardliner":           func(a parley.Agent) bool { _, ok := a.(*Hardliner); return ok },
		"random":              func(a parley.Agent) bool { return a.(*Random).P == 0.5 },
		"random:p=1":          func(a parley.Agent) bool { return a.(*Random).P == 1 },
		"frequency":           func(a parley.Agent) bool { f := a.(*Frequency); return f.E == 0.5 && f.K == 20 },
		"frequency:k=5,e=2":   func(a parley.Agent) bool { f := a.(*Frequency); return f.E == 2 && f.K == 5 },
		"frequency: e = 1.5":  func(a parley.Agent) bool { return a.(*Frequency).E == 1.5 },
		"agentk":              func(a parley.Agent) bool { return a.(*AgentK).Tremor == 2 },
		"agentk:tremor=0":     func(a parley.Agent) bool { return a.(*AgentK).Tremor == 0 },
		"hardheaded":          func(a parley.Agent) bool { h := a.(*HardHeaded); return h.E == 0.05 && h.K == 32 },
		"hardheaded:e=.1,k=4": func(a parley.Agent) bool { h := a.(*HardHeaded); return h.E == 0.1 && h.K == 4 },
		"cuhkagent:k=3":       func(a parley.Agent) bool { return a.(*CUHKAgent).K == 3 },
		"agentgg":             func(a parley.Agent) bool { return a.(*AgentGG).K == 32 },
		"bayesian":            func(a parley.Agent) bool { b := a.(*Bayesian); return b.E == 0.5 && b.K == 20 },
		"bayesian:e=2,k=7":    func(a parley.Agent) bool { b := a.(*Bayesian); return b.E == 2 && b.K == 7 },
	} {
		a, err := New(spec)
		if err != nil {
			t.Errorf("%q: %v", spec, err)
			continue
		}
		if !check(a) {
			t.Errorf("%q: got %#v", spec, a)
		}
	}
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	for spec, want := range map[string][]string{
		"nosuch":            {`unknown agent "nosuch"`, "boulware", "conceder", "frequency", "hardliner", "linear", "random", "titfortat"},
		"":                  {"empty agent spec"},
		"boulware:x=1":      {"boulware: unknown parameter x (known: e)"},
		"hardliner:e=1":     {"hardliner: unknown parameter e (known: none)"},
		"boulware:e=-1":     {"boulware", "e=\"-1\" must be a number"},
		"boulware:e=abc":    {"must be a number"},
		"random:p=2":        {"p=\"2\" must be a number in [0, 1]"},
		"frequency:k=0":     {"k=\"0\" must be an integer"},
		"boulware:e":        {`parameter "e" is not key=value`},
		"boulware:e=1,e=2":  {`"e" given twice`},
		"frequency:a=1,b=2": {"unknown parameter a, b (known: e, k)"},
		"agentk:tremor=-1":  {"tremor=\"-1\" must be a number"},
		"hardheaded:k=0":    {"k=\"0\" must be an integer"},
		"cuhkagent:e=1":     {"cuhkagent: unknown parameter e (known: k)"},
		"agentgg:k=x":       {"must be an integer"},
		"bayesian:e=0":      {"e=\"0\" must be a number"},
	} {
		_, err := New(spec)
		if parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("%q: error %v, want code invalid", spec, err)
			continue
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q: %q does not mention %q", spec, err, w)
			}
		}
	}
	if _, err := NewPrincipal("boulware"); parley.ErrorCode(err) != parley.EINVALID || !strings.Contains(err.Error(), "unknown principal agent") {
		t.Errorf("NewPrincipal(boulware): %v", err)
	}
}

func TestListSortedByRoleThenName(t *testing.T) {
	t.Parallel()
	l := List()
	if !slices.IsSortedFunc(l, func(a, b Info) int {
		if a.Role != b.Role {
			return strings.Compare(a.Role, b.Role)
		}
		return strings.Compare(a.Name, b.Name)
	}) {
		t.Errorf("not sorted: %v", l)
	}
	var names []string
	for _, i := range l {
		names = append(names, i.Name)
		if i.Summary == "" || i.Role == "" {
			t.Errorf("%s: no summary or role", i.Name)
		}
	}
	for _, n := range negotiatorNames() {
		n, _, _ = strings.Cut(n, ":")
		if !slices.Contains(names, n) {
			t.Errorf("%s is not listed", n)
		}
	}
}

func TestInfoKeys(t *testing.T) {
	t.Parallel()
	i := Info{Params: "start=auto (first text: auto = target; or x = y); order=index (a = b); e=1"}
	if got := i.Keys(); !slices.Equal(got, []string{"start", "order", "e"}) {
		t.Errorf("Keys = %v", got)
	}
}

func TestRegisterPanicsOnDuplicate(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	Register(Info{Name: "boulware"}, func(map[string]string) (parley.Agent, error) { return nil, nil })
}
