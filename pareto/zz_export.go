package pareto

func SetBitIndexMax(v int) { bitIndexMax = v }
