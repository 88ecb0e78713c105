package genius_test

import (
	"fmt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/genius"
)

func Example() {
	s, err := genius.Load("testdata/car-domain.xml",
		[]string{"testdata/car-buyer.xml", "testdata/car-seller.xml"}, genius.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := s.Compile()
	if err != nil {
		fmt.Println(err)
		return
	}
	o := parley.Outcome{s.Issues[0].OptionIndex("blue"), s.Issues[1].OptionIndex("small")}
	for i, u := range m.Eval(o) {
		fmt.Printf("%s: %.3f\n", m.Parties[i].Name, m.Parties[i].Utility.F(u))
	}
	// Output:
	// car-buyer: 0.500
	// car-seller: 0.800
}
