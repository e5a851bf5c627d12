package casepage

import "strconv"

func formatHours(h float64) string {
	if h < 10 {
		return strconv.FormatFloat(h, 'f', 1, 64) + " h"
	}
	return strconv.FormatFloat(h, 'f', 0, 64) + " h"
}

func formatPercent(x float64) string { return strconv.FormatFloat(x*100, 'f', 0, 64) + "%" }
