package bargain_test

import (
	"fmt"

	"github.com/parleyhq/parley/bargain"
)

func ExampleNash() {
	frontier := [][]int64{{10, 1}, {6, 5}, {4, 7}, {1, 10}}
	d := []int64{0, 0} // utilities of no agreement
	fmt.Println("Nash:", frontier[bargain.Nash(frontier, d, nil)])
	fmt.Println("Kalai–Smorodinsky:", frontier[bargain.KalaiSmorodinsky(frontier, d, nil)])
	// Output:
	// Nash: [6 5]
	// Kalai–Smorodinsky: [6 5]
}
