package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/store"
)

var _ store.Measurements = (*DB)(nil)

const measurementColumns = `uid, measurement_uid, report_id, test_name, input, domain, probe_cc, probe_asn,
	measurement_start_time, platform, service, outcome, blocking_type, tls_handshake_ms, download_kbps,
	scores, raw_file, raw_line, raw_sha256, category_code`

const measurementColumnCount = 20

// measurementRowsPerInsert keeps one INSERT under SQLite's parameter limit.
const measurementRowsPerInsert = 500

func unixMicros(t time.Time) int64 { return t.UTC().UnixMicro() }

// PutMeasurements inserts new measurements in one transaction.
func (db *DB) PutMeasurements(ctx context.Context, ms []*model.Measurement) (int, error) {
	if len(ms) == 0 {
		return 0, nil
	}
	if err := db.ensurePartitions(ctx, ms); err != nil {
		return 0, err
	}
	inserted := 0
	err := db.inTx(ctx, func(tx *Tx) error {
		for i := 0; i < len(ms); i += measurementRowsPerInsert {
			chunk := ms[i:min(i+measurementRowsPerInsert, len(ms))]
			var b strings.Builder
			b.WriteString(`INSERT INTO measurements (` + measurementColumns + `) VALUES `)
			args := make([]any, 0, len(chunk)*measurementColumnCount)
			row := "(" + placeholders(measurementColumnCount) + ")"
			for j, m := range chunk {
				if j > 0 {
					b.WriteByte(',')
				}
				b.WriteString(row)
				scores := string(m.Scores)
				if scores == "" {
					scores = "{}"
				}
				args = append(args, m.Key(), m.MeasurementUID, m.ReportID, m.TestName, m.Input, m.Domain, m.ProbeCC,
					m.ProbeASN, unixMicros(m.StartTime), m.Platform, m.Service, m.Outcome, m.BlockingType,
					nullFloat(m.TLSHandshake), nullFloat(m.DownloadKbps), scores, m.Raw.File, m.Raw.Line, m.Raw.SHA256, m.Category)
			}
			b.WriteString(` ON CONFLICT DO NOTHING`)
			res, err := tx.tx.ExecContext(ctx, db.q(b.String()), args...)
			if err != nil {
				return wrap("insert measurements", err)
			}
			n, _ := res.RowsAffected()
			inserted += int(n)
		}
		return nil
	})
	return inserted, err
}

func nullFloat(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// partitionsMade remembers the monthly PostgreSQL partitions created by
// each open store.
var partitionsMade sync.Map // "pointer/YYYYMM" → true

// ensurePartitions creates the monthly partitions a batch needs; SQLite
// has no partitions.
func (db *DB) ensurePartitions(ctx context.Context, ms []*model.Measurement) error {
	if !db.d.PartitionedMeasurements() {
		return nil
	}
	months := map[time.Time]bool{}
	for _, m := range ms {
		t := m.StartTime.UTC()
		months[time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)] = true
	}
	for start := range months {
		key := fmt.Sprintf("%p/%s", db, start.Format("200601"))
		if _, ok := partitionsMade.Load(key); ok {
			continue
		}
		end := start.AddDate(0, 1, 0)
		name := "measurements_p" + start.Format("200601")
		if start.Year() < 1000 {
			return fmt.Errorf("measurement_start_time %s is out of range", start)
		}
		_, err := db.write.ExecContext(ctx, fmt.Sprintf(
			`CREATE TABLE IF NOT EXISTS %s PARTITION OF measurements FOR VALUES FROM (%d) TO (%d)`,
			name, unixMicros(start), unixMicros(end)))
		if err != nil && !strings.Contains(err.Error(), "already exists") {
			return wrap("create partition "+name, err)
		}
		partitionsMade.Store(key, true)
	}
	return nil
}

// where builds the filter of a measurement query.
func measurementWhere(q store.MeasurementQuery) (string, []any) {
	var conds []string
	var args []any
	add := func(c string, a ...any) { conds = append(conds, c); args = append(args, a...) }
	if q.ProbeCC != "" {
		add("probe_cc = ?", q.ProbeCC)
	}
	if q.ProbeASN != 0 {
		add("probe_asn = ?", q.ProbeASN)
	}
	if q.TestName != "" {
		add("test_name = ?", q.TestName)
	}
	if q.Domain != "" {
		add("domain = ?", q.Domain)
	}
	if q.Platform != "" {
		add("platform = ?", q.Platform)
	}
	if q.Category != "" {
		add("category_code = ?", q.Category)
	}
	if len(q.Outcomes) > 0 {
		c := "outcome IN (" + placeholders(len(q.Outcomes)) + ")"
		for _, o := range q.Outcomes {
			args = append(args, o)
		}
		conds = append(conds, c)
	}
	if q.Since != nil {
		add("measurement_start_time >= ?", unixMicros(*q.Since))
	}
	if q.Until != nil {
		add("measurement_start_time < ?", unixMicros(*q.Until))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func scanMeasurement(sc interface{ Scan(...any) error }) (*model.Measurement, error) {
	var m model.Measurement
	var key, scores string
	var t int64
	var tls, kbps sql.NullFloat64
	err := sc.Scan(&key, &m.MeasurementUID, &m.ReportID, &m.TestName, &m.Input, &m.Domain, &m.ProbeCC, &m.ProbeASN,
		&t, &m.Platform, &m.Service, &m.Outcome, &m.BlockingType, &tls, &kbps, &scores, &m.Raw.File, &m.Raw.Line, &m.Raw.SHA256, &m.Category)
	if err != nil {
		return nil, err
	}
	m.StartTime = time.UnixMicro(t).UTC()
	if tls.Valid {
		m.TLSHandshake = &tls.Float64
	}
	if kbps.Valid {
		m.DownloadKbps = &kbps.Float64
	}
	m.Scores = json.RawMessage(scores)
	return &m, nil
}

type measurementCursor struct {
	T   int64  `json:"t"`
	UID string `json:"u"`
}

// ListMeasurements pages newest first by (start time, uid).
func (db *DB) ListMeasurements(ctx context.Context, q store.MeasurementQuery) (*store.MeasurementPage, error) {
	limit := q.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	where, args := measurementWhere(q)
	if q.Cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(q.Cursor)
		var c measurementCursor
		if err != nil || json.Unmarshal(b, &c) != nil {
			return nil, model.Invalid("cursor", "is not a cursor this server gave")
		}
		cond := "(measurement_start_time < ? OR (measurement_start_time = ? AND uid < ?))"
		if where == "" {
			where = " WHERE " + cond
		} else {
			where += " AND " + cond
		}
		args = append(args, c.T, c.T, c.UID)
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT `+measurementColumns+` FROM measurements`+where+
		` ORDER BY measurement_start_time DESC, uid DESC LIMIT `+strconv.Itoa(limit+1)), args...)
	if err != nil {
		return nil, wrap("list measurements", err)
	}
	defer rows.Close()
	page := &store.MeasurementPage{}
	for rows.Next() {
		m, err := scanMeasurement(rows)
		if err != nil {
			return nil, wrap("list measurements", err)
		}
		page.Measurements = append(page.Measurements, m)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("list measurements", err)
	}
	if len(page.Measurements) > limit {
		page.Measurements = page.Measurements[:limit]
		last := page.Measurements[limit-1]
		b, _ := json.Marshal(measurementCursor{T: unixMicros(last.StartTime), UID: last.Key()})
		page.NextCursor = base64.RawURLEncoding.EncodeToString(b)
	}
	return page, nil
}

// Measurement reads one measurement by its key.
func (db *DB) Measurement(ctx context.Context, key string) (*model.Measurement, error) {
	m, err := scanMeasurement(db.read.QueryRowContext(ctx, db.q(`SELECT `+measurementColumns+` FROM measurements WHERE uid = ?`), key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	return m, wrap("read measurement", err)
}

// EachMeasurement streams measurements oldest first.
func (db *DB) EachMeasurement(ctx context.Context, q store.MeasurementQuery, fn func(*model.Measurement) error) error {
	where, args := measurementWhere(q)
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT `+measurementColumns+` FROM measurements`+where+
		` ORDER BY measurement_start_time, uid`), args...)
	if err != nil {
		return wrap("read measurements", err)
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scanMeasurement(rows)
		if err != nil {
			return wrap("read measurements", err)
		}
		if err := fn(m); err != nil {
			return err
		}
	}
	return wrap("read measurements", rows.Err())
}

// AggregateMeasurements counts outcomes per group. The time axis is
// bucketed by hour or day in SQL and rolled up to weeks, months and years
// here, so both stores share the SQL.
func (db *DB) AggregateMeasurements(ctx context.Context, q store.AggregationQuery) ([]store.AggregationRow, error) {
	axes := []string{}
	for _, a := range []string{q.AxisX, q.AxisY} {
		if a == "" {
			continue
		}
		if !store.AggregationAxes.Has(a) {
			return nil, model.Invalid("axis", "%q is not one of %s", a, store.AggregationAxes)
		}
		axes = append(axes, a)
	}
	if len(axes) == 2 && axes[0] == axes[1] {
		return nil, model.Invalid("axis_y", "must differ from axis_x")
	}
	grain := q.TimeGrain
	if grain == "" {
		grain = "day"
	}
	if !store.TimeGrains.Has(grain) {
		return nil, model.Invalid("time_grain", "%q is not one of %s", grain, store.TimeGrains)
	}
	bucket := int64(86400_000_000)
	if grain == "hour" {
		bucket = 3600_000_000
	}
	var exprs []string
	for _, a := range axes {
		if a == "measurement_start_day" {
			exprs = append(exprs, fmt.Sprintf("(measurement_start_time - (measurement_start_time %% %d))", bucket))
		} else {
			exprs = append(exprs, a)
		}
	}
	cols := append(append([]string{}, exprs...),
		"COUNT(*)",
		"SUM(CASE WHEN outcome = 'ok' THEN 1 ELSE 0 END)",
		"SUM(CASE WHEN outcome = 'anomaly' THEN 1 ELSE 0 END)",
		"SUM(CASE WHEN outcome = 'confirmed' THEN 1 ELSE 0 END)",
		"SUM(CASE WHEN outcome = 'failure' THEN 1 ELSE 0 END)")
	where, args := measurementWhere(q.MeasurementQuery)
	query := `SELECT ` + strings.Join(cols, ", ") + ` FROM measurements` + where
	if len(exprs) > 0 {
		query += ` GROUP BY ` + strings.Join(exprs, ", ")
	}
	rows, err := db.read.QueryContext(ctx, db.q(query), args...)
	if err != nil {
		return nil, wrap("aggregate measurements", err)
	}
	defer rows.Close()
	groups := map[string]*store.AggregationRow{}
	var order []string
	for rows.Next() {
		keys := make([]any, len(axes))
		vals := make([]sql.NullString, len(axes))
		for i := range keys {
			keys[i] = &vals[i]
		}
		var n, ok, an, co, fa sql.NullInt64
		if err := rows.Scan(append(keys, &n, &ok, &an, &co, &fa)...); err != nil {
			return nil, wrap("aggregate measurements", err)
		}
		if !n.Valid || n.Int64 == 0 {
			continue
		}
		k := map[string]string{}
		var id strings.Builder
		for i, a := range axes {
			v := vals[i].String
			if a == "measurement_start_day" {
				us, _ := strconv.ParseInt(v, 10, 64)
				v = timeKey(time.UnixMicro(us).UTC(), grain)
			}
			k[a] = v
			id.WriteString(v)
			id.WriteByte(0)
		}
		g := groups[id.String()]
		if g == nil {
			g = &store.AggregationRow{Keys: k}
			groups[id.String()] = g
			order = append(order, id.String())
		}
		g.MeasurementCount += n.Int64
		g.OKCount += ok.Int64
		g.AnomalyCount += an.Int64
		g.ConfirmedCount += co.Int64
		g.FailureCount += fa.Int64
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("aggregate measurements", err)
	}
	out := make([]store.AggregationRow, 0, len(order))
	for _, id := range order {
		out = append(out, *groups[id])
	}
	sort.SliceStable(out, func(i, j int) bool {
		for _, a := range axes {
			x, y := out[i].Keys[a], out[j].Keys[a]
			if x != y {
				if a == "probe_asn" {
					xi, _ := strconv.ParseInt(x, 10, 64)
					yi, _ := strconv.ParseInt(y, 10, 64)
					return xi < yi
				}
				return x < y
			}
		}
		return false
	})
	return out, nil
}

// timeKey names a time bucket as OONI does: a day "2023-02-08", an hour
// "2023-02-08T13:00:00Z", a week by its Monday, a month "2023-02-01".
func timeKey(t time.Time, grain string) string {
	switch grain {
	case "hour":
		return t.Format(time.RFC3339)
	case "week":
		wd := (int(t.Weekday()) + 6) % 7
		return t.AddDate(0, 0, -wd).Format(time.DateOnly)
	case "month":
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	case "year":
		return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}
	return t.Format(time.DateOnly)
}

// PutDomainCategories replaces the tags of the domains given.
func (db *DB) PutDomainCategories(ctx context.Context, tags []store.DomainCategory) error {
	return db.inTx(ctx, func(tx *Tx) error {
		seen := map[string]bool{}
		for _, t := range tags {
			if !seen[t.Domain] {
				seen[t.Domain] = true
				if _, err := tx.tx.ExecContext(ctx, db.q(`DELETE FROM domain_categories WHERE domain = ?`), t.Domain); err != nil {
					return wrap("replace domain categories", err)
				}
			}
		}
		for _, t := range tags {
			if _, err := tx.tx.ExecContext(ctx, db.q(`INSERT INTO domain_categories (domain, category, list) VALUES (?, ?, ?)
				ON CONFLICT DO NOTHING`), t.Domain, t.Category, t.List); err != nil {
				return wrap("insert domain categories", err)
			}
		}
		return nil
	})
}

// AllDomainCategories returns every domain tag.
func (db *DB) AllDomainCategories(ctx context.Context) ([]store.DomainCategory, error) {
	return db.domainCategories(ctx, `SELECT domain, category, list FROM domain_categories ORDER BY domain, list, category`)
}

// DomainCategories returns a domain's tags.
func (db *DB) DomainCategories(ctx context.Context, domain string) ([]store.DomainCategory, error) {
	return db.domainCategories(ctx, `SELECT domain, category, list FROM domain_categories WHERE domain = ? ORDER BY list, category`, domain)
}

func (db *DB) domainCategories(ctx context.Context, query string, args ...any) ([]store.DomainCategory, error) {
	rows, err := db.read.QueryContext(ctx, db.q(query), args...)
	if err != nil {
		return nil, wrap("read domain categories", err)
	}
	defer rows.Close()
	var out []store.DomainCategory
	for rows.Next() {
		var c store.DomainCategory
		if err := rows.Scan(&c.Domain, &c.Category, &c.List); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
