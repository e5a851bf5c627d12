package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/candor-observatory/candor/internal/model"
)

// Request size limits.
const (
	maxRecordBytes = 1 << 20
	maxBatchBytes  = 32 << 20
)

// DecodeRecord reads one record of a collection strictly: unknown fields and
// wrong types are errors naming the field.
func DecodeRecord(collection string, data []byte) (model.Record, error) {
	rec := model.New(collection)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(rec); err != nil {
		return nil, jsonError(err)
	}
	if dec.More() {
		return nil, model.Invalid("", "unexpected data after the JSON object")
	}
	return rec, nil
}

// jsonError names the field a decoding error is about.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "(body)"
		}
		return model.Invalid(field, "must be %s, not %s", jsonType(te.Type.String()), te.Value)
	case errors.As(err, &se):
		return model.Invalid("(body)", "malformed JSON at byte %d: %v", se.Offset, se)
	case errors.Is(err, io.EOF):
		return model.Invalid("(body)", "empty body; a JSON object is required")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return model.Invalid("(body)", "malformed JSON: unexpected end of input")
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return model.Invalid(strings.Trim(f, `"`), "is not a known field")
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return model.Invalid("(body)", "request body larger than %d bytes", mbe.Limit)
	}
	// Errors from a field's own UnmarshalJSON (dates) do not name the field.
	return model.Invalid("(body)", "%s", strings.TrimPrefix(msg, "json: "))
}

func jsonType(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case goType == "string" || goType == "model.Visibility" || goType == "model.Date":
		return "a string"
	case strings.HasPrefix(goType, "int") || strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "bool":
		return "true or false"
	}
	return fmt.Sprintf("an object (%s)", goType)
}

func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, model.Invalid("(body)", "request body larger than %d bytes", limit)
		}
		return nil, err
	}
	return b, nil
}
