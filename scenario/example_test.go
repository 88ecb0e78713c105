package scenario_test

import (
	"fmt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/scenario"
)

func Example() {
	src := `
id: fence
issues:
  - name: height
    options: [low, high]
  - {name: cost, kind: integer, min: 0, max: 2}
parties:
  - name: Ann
    preferences:
      reservation: 0.4
      issues:
        - {issue: height, weight: 3, values: {high: 1}}
        - {issue: cost, weight: 1, function: [[0, 1], [2, 0]]}
  - name: Bob
    preferences:
      reservation: {value: 0.2, range: [0.1, 0.3]}
      issues:
        - {issue: cost, weight: 1, function: [[0, 0], [2, 1]]}
variants:
  - name: picky-bob
    override:
      parties:
        - {name: Bob, preferences: {reservation: 0.9}}
`
	f, err := scenario.Parse("fence.yaml", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range []string{"", "picky-bob"} {
		s, err := f.Scenario(v)
		if err != nil {
			fmt.Println(err)
			return
		}
		m, _ := s.Compile()
		o := parley.Outcome{1, 1} // height high, cost 1
		u := m.Eval(o)
		fmt.Printf("variant %q: Ann %.3f, Bob %.3f, agreement possible: %v\n", v, m.Parties[0].Utility.F(u[0]), m.Parties[1].Utility.F(u[1]), m.InZone(o))
	}

	_, err = scenario.Parse("fence.yaml", []byte("id: fence\nissues: []\nparties:\n  - name: Ann\n    preferences: {reservaton: 0.4}\n"))
	fmt.Println(err)
	// Output:
	// variant "": Ann 0.875, Bob 0.500, agreement possible: true
	// variant "picky-bob": Ann 0.875, Bob 0.500, agreement possible: false
	// fence.yaml:5:19: parties[0].preferences.reservaton: unknown key "reservaton" (did you mean "reservation"?); expected one of reservation, discount, scale, issues, constraints, red_lines
}
