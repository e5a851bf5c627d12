package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/candor-observatory/candor/internal/model"
)

func (h *Handler) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(OpenAPI())
}

// OpenAPI builds the OpenAPI 3.1 document from the route table and the
// model types, so that it cannot drift from the handlers.
func OpenAPI() map[string]any {
	schemas := map[string]any{}
	gen := &schemaGen{defs: schemas}
	var collectionNames []any
	for _, c := range model.Collections() {
		collectionNames = append(collectionNames, c)
		gen.schemaOf(reflect.TypeOf(model.New(c)).Elem())
	}
	schemas["Problem"] = map[string]any{"type": "object", "properties": map[string]any{
		"type": map[string]any{"type": "string"}, "title": map[string]any{"type": "string"},
		"status": map[string]any{"type": "integer"}, "detail": map[string]any{"type": "string"},
		"errors": map[string]any{"type": "array", "items": map[string]any{"type": "object", "properties": map[string]any{
			"field": map[string]any{"type": "string"}, "message": map[string]any{"type": "string"}}}},
	}}
	paths := map[string]any{}
	for _, rt := range Routes() {
		item, _ := paths[rt.Pattern].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.Pattern] = item
		}
		op := map[string]any{
			"summary":     rt.Summary,
			"operationId": operationID(rt),
			"tags":        []string{rt.Tag},
			"responses": map[string]any{
				"200":     map[string]any{"description": "OK"},
				"default": map[string]any{"description": "Problem", "content": map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}}},
			},
		}
		var params []any
		for _, seg := range strings.Split(rt.Pattern, "/") {
			if strings.HasPrefix(seg, "{") {
				name := strings.Trim(seg, "{}.")
				p := map[string]any{"name": name, "in": "path", "required": true, "schema": map[string]any{"type": "string"}}
				if name == "collection" {
					p["schema"] = map[string]any{"type": "string", "enum": collectionNames}
				}
				params = append(params, p)
			}
		}
		for _, p := range rt.Params {
			params = append(params, map[string]any{"name": p.Name, "in": "query", "description": p.Description, "schema": map[string]any{"type": "string"}})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if rt.Write {
			op["security"] = []any{map[string]any{"bearer": []any{}}}
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{
				"schema": map[string]any{"description": "a record of the collection; see components/schemas"}}}}
		}
		item[strings.ToLower(rt.Method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "Candor API", "version": "1",
			"description": "Government demands to online platforms, platform responses, laws and interference, with proofs. Errors are RFC 9457 problem documents."},
		"paths": paths,
		"components": map[string]any{"schemas": schemas,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}}},
	}
}

func operationID(rt Route) string {
	p := strings.NewReplacer("/api/v1/", "", "{", "", "}", "", "/", "_", ".", "_").Replace(rt.Pattern)
	return strings.ToLower(rt.Method) + "_" + p
}

type schemaGen struct{ defs map[string]any }

var timeType = reflect.TypeOf(time.Time{})

func (g *schemaGen) schemaOf(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == reflect.TypeOf(model.Date("")):
		return map[string]any{"type": "string", "format": "date"}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return map[string]any{"type": "integer"}
	case reflect.Float64, reflect.Float32:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.schemaOf(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object"}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := t.Name()
		if _, ok := g.defs[name]; !ok {
			g.defs[name] = map[string]any{} // guards recursion
			props := map[string]any{}
			g.fields(t, props)
			g.defs[name] = map[string]any{"type": "object", "properties": props}
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

func (g *schemaGen) fields(t reflect.Type, props map[string]any) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous {
			g.fields(f.Type, props)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = g.schemaOf(f.Type)
	}
}

// JSONFields lists the JSON field names of a collection's record type.
func JSONFields(collection string) []string {
	props := map[string]any{}
	(&schemaGen{defs: map[string]any{}}).fields(reflect.TypeOf(model.New(collection)).Elem(), props)
	var out []string
	for k := range props {
		out = append(out, k)
	}
	return out
}
