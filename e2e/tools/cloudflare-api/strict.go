package main

// Strict decoding of requests into cloudflare-go v7's generated request types.
//
// Those types are made for encoding: a request struct has no UnmarshalJSON, and cloudflare-go's
// own decoder (internal/apijson) is lenient by design: it turns "60" into 60, keeps unknown keys
// aside in ExtraFields and never checks an enum. So the double walks the generated types itself,
// by their tags: `json:"name"` (body) or `query:"name"` (query string, nested as name.exact),
// `api:"required"` or `api:"required,nullable"`, param.Field[T] for every optional value, and
// IsKnown() on enums. What the types do not describe is an error.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v7/dns"
)

// openEnums are the numeric types whose IsKnown() names one special value among many allowed
// ones: dns.TTL knows only 1 (automatic), while 60-86400 are allowed too (the handler checks them).
var openEnums = map[reflect.Type]bool{reflect.TypeOf(dns.TTL(0)): true}

var timeType = reflect.TypeOf(time.Time{})

// decodeBody decodes a JSON body into v, a pointer to a cloudflare-go request type.
func decodeBody(raw []byte, v any) error {
	tree, err := parseJSON(raw)
	if err != nil {
		return err
	}
	return assign(reflect.ValueOf(v).Elem(), tree, "")
}

// parseJSON reads a body that must be exactly one JSON value, numbers kept as written.
func parseJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, fmt.Errorf("the body is not JSON: %v", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("the body holds more than one JSON value")
	}
	return tree, nil
}

// isParamField tells param.Field[T] (cloudflare-go's internal/param), which marks a value present.
func isParamField(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && strings.HasSuffix(t.PkgPath(), "/internal/param") && strings.HasPrefix(t.Name(), "Field[")
}

type fieldInfo struct {
	index    int
	required bool
	nullable bool
}

// fieldsByTag maps the names of a generated struct's fields under a tag key (json or query).
func fieldsByTag(t reflect.Type, key string) map[string]fieldInfo {
	fields := map[string]fieldInfo{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get(key), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		api := f.Tag.Get("api")
		fields[name] = fieldInfo{index: i, required: strings.Contains(api, "required"), nullable: strings.Contains(api, "nullable")}
	}
	return fields
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func named(path string) string {
	if path == "" {
		return "the body"
	}
	return path
}

func assign(dst reflect.Value, src any, path string) error {
	t := dst.Type()
	if isParamField(t) {
		dst.FieldByName("Present").SetBool(true)
		if src == nil {
			dst.FieldByName("Null").SetBool(true)
			return nil
		}
		return assign(dst.FieldByName("Value"), src, path)
	}
	if src == nil {
		return fmt.Errorf("%s: null is not allowed here", named(path))
	}
	switch {
	case t == timeType:
		s, ok := src.(string)
		if !ok {
			return fmt.Errorf("%s: want a date-time string, got %s", named(path), jsonKind(src))
		}
		parsed, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return fmt.Errorf("%s: %q is not an RFC 3339 date-time", named(path), s)
		}
		dst.Set(reflect.ValueOf(parsed))
		return nil
	case t.Kind() == reflect.Struct:
		obj, ok := src.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want an object, got %s", named(path), jsonKind(src))
		}
		fields := fieldsByTag(t, "json")
		for _, key := range sortedKeys(obj) {
			f, ok := fields[key]
			if !ok {
				return fmt.Errorf("%s: unknown field (Cloudflare's type for it has %s)", join(path, key), strings.Join(sortedKeys(fields), ", "))
			}
			if obj[key] == nil && f.required && !f.nullable {
				return fmt.Errorf("%s: is required and may not be null", join(path, key))
			}
			if err := assign(dst.Field(f.index), obj[key], join(path, key)); err != nil {
				return err
			}
		}
		for _, name := range sortedKeys(fields) {
			if _, ok := obj[name]; fields[name].required && !ok {
				return fmt.Errorf("%s: is required", join(path, name))
			}
		}
		return nil
	case t.Kind() == reflect.Slice:
		arr, ok := src.([]any)
		if !ok {
			return fmt.Errorf("%s: want an array, got %s", named(path), jsonKind(src))
		}
		out := reflect.MakeSlice(t, len(arr), len(arr))
		for i, item := range arr {
			if err := assign(out.Index(i), item, fmt.Sprintf("%s[%d]", named(path), i)); err != nil {
				return err
			}
		}
		dst.Set(out)
		return nil
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String:
		obj, ok := src.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want an object, got %s", named(path), jsonKind(src))
		}
		out := reflect.MakeMapWithSize(t, len(obj))
		for _, key := range sortedKeys(obj) {
			item := reflect.New(t.Elem()).Elem()
			if err := assign(item, obj[key], join(path, key)); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(key).Convert(t.Key()), item)
		}
		dst.Set(out)
		return nil
	case t.Kind() == reflect.Interface && t.NumMethod() == 0:
		dst.Set(reflect.ValueOf(src))
		return nil
	}
	if err := assignScalar(dst, src, path); err != nil {
		return err
	}
	return checkEnum(dst, path)
}

func assignScalar(dst reflect.Value, src any, path string) error {
	t := dst.Type()
	switch t.Kind() {
	case reflect.String:
		s, ok := src.(string)
		if !ok {
			return fmt.Errorf("%s: want a string, got %s", named(path), jsonKind(src))
		}
		dst.SetString(s)
	case reflect.Bool:
		b, ok := src.(bool)
		if !ok {
			return fmt.Errorf("%s: want true or false, got %s", named(path), jsonKind(src))
		}
		dst.SetBool(b)
	case reflect.Float32, reflect.Float64:
		n, ok := src.(json.Number)
		if !ok {
			return fmt.Errorf("%s: want a number, got %s", named(path), jsonKind(src))
		}
		f, err := n.Float64()
		if err != nil {
			return fmt.Errorf("%s: %s is not a number", named(path), n)
		}
		dst.SetFloat(f)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := src.(json.Number)
		if !ok {
			return fmt.Errorf("%s: want an integer, got %s", named(path), jsonKind(src))
		}
		i, err := n.Int64()
		if err != nil {
			return fmt.Errorf("%s: %s is not an integer", named(path), n)
		}
		dst.SetInt(i)
	default:
		return fmt.Errorf("%s: the double cannot decode Cloudflare's type %s here", named(path), t)
	}
	return nil
}

func checkEnum(v reflect.Value, path string) error {
	if openEnums[v.Type()] {
		return nil
	}
	if enum, ok := v.Interface().(interface{ IsKnown() bool }); ok && !enum.IsKnown() {
		return fmt.Errorf("%s: %v is not a value Cloudflare's API allows here", named(path), v.Interface())
	}
	return nil
}

// decodeQuery decodes a query string into v, a pointer to a cloudflare-go params type, by its
// `query` tags; a nested field is written name.exact, a list by repeating its key (cloudflare-go's
// NestedQueryFormatDots and ArrayQueryFormatRepeat). Fields tagged `path` are not read.
func decodeQuery(values url.Values, v any) error {
	root := reflect.ValueOf(v).Elem()
	for _, key := range sortedKeys(values) {
		if err := assignQuery(root, strings.Split(key, "."), values[key], key); err != nil {
			return err
		}
	}
	fields := fieldsByTag(root.Type(), "query")
	for _, name := range sortedKeys(fields) {
		if fields[name].required && !root.Field(fields[name].index).FieldByName("Present").Bool() {
			return fmt.Errorf("query parameter %s: is required", name)
		}
	}
	return nil
}

func assignQuery(dst reflect.Value, segments []string, values []string, key string) error {
	fields := fieldsByTag(dst.Type(), "query")
	f, ok := fields[segments[0]]
	if !ok {
		return fmt.Errorf("query parameter %s: unknown (Cloudflare's type for it has %s)", key, strings.Join(sortedKeys(fields), ", "))
	}
	field := dst.Field(f.index)
	if isParamField(field.Type()) {
		field.FieldByName("Present").SetBool(true)
		field = field.FieldByName("Value")
	}
	if field.Kind() == reflect.Struct && field.Type() != timeType {
		if len(segments) == 1 {
			return fmt.Errorf("query parameter %s: takes a sub-field (%s.%s)", key, key, strings.Join(sortedKeys(fieldsByTag(field.Type(), "query")), ", "+key+"."))
		}
		return assignQuery(field, segments[1:], values, key)
	}
	if len(segments) > 1 {
		return fmt.Errorf("query parameter %s: %s has no sub-fields", key, segments[0])
	}
	if field.Kind() == reflect.Slice {
		out := reflect.MakeSlice(field.Type(), len(values), len(values))
		for i, value := range values {
			if err := assignQueryScalar(out.Index(i), value, key); err != nil {
				return err
			}
		}
		field.Set(out)
		return nil
	}
	if len(values) > 1 {
		return fmt.Errorf("query parameter %s: given %d times, allowed once", key, len(values))
	}
	return assignQueryScalar(field, values[0], key)
}

func assignQueryScalar(dst reflect.Value, value string, key string) error {
	switch dst.Kind() {
	case reflect.String:
		dst.SetString(value)
	case reflect.Bool:
		b, err := strconv.ParseBool(value)
		if err != nil || (value != "true" && value != "false") {
			return fmt.Errorf("query parameter %s: want true or false, got %q", key, value)
		}
		dst.SetBool(b)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return fmt.Errorf("query parameter %s: want a number, got %q", key, value)
		}
		dst.SetFloat(f)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return fmt.Errorf("query parameter %s: want an integer, got %q", key, value)
		}
		dst.SetInt(i)
	default:
		return fmt.Errorf("query parameter %s: the double cannot decode Cloudflare's type %s", key, dst.Type())
	}
	return checkEnum(dst, "query parameter "+key)
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
