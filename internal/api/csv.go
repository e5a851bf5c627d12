package api

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// WriteCSV flattens JSON records into columns named by their path
// ("targets.items.value"); lists are joined with "; ".
func WriteCSV(w io.Writer, bodies [][]byte) error {
	rows := make([]map[string]string, 0, len(bodies))
	seen := map[string]bool{}
	var cols []string
	for _, b := range bodies {
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		flat := map[string]string{}
		flattenJSON("", v, flat)
		keys := make([]string, 0, len(flat))
		for k := range flat {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !seen[k] {
				seen[k] = true
				cols = append(cols, k)
			}
		}
		rows = append(rows, flat)
	}
	sort.SliceStable(cols, func(i, j int) bool { return colRank(cols[i]) < colRank(cols[j]) })
	cw := csv.NewWriter(w)
	cw.Write(cols)
	rec := make([]string, len(cols))
	for _, r := range rows {
		for i, c := range cols {
			rec[i] = r[c]
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

// colRank puts identifying columns first.
func colRank(c string) int {
	switch c {
	case "id":
		return 0
	case "version":
		return 1
	}
	return 2
}

func flattenJSON(prefix string, v any, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, vv := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			flattenJSON(p, vv, out)
		}
	case []any:
		simple := true
		var parts []string
		for _, e := range x {
			switch e.(type) {
			case map[string]any, []any:
				simple = false
			default:
				parts = append(parts, scalar(e))
			}
		}
		if simple {
			out[prefix] = strings.Join(parts, "; ")
			return
		}
		for i, e := range x {
			flattenJSON(fmt.Sprintf("%s.%d", prefix, i), e, out)
		}
	default:
		out[prefix] = scalar(x)
	}
}

func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return fmt.Sprint(v)
}
