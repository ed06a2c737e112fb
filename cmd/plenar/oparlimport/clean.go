package oparlimport

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// obj is one source object with accessors that repair and report what
// real servers get wrong.
type obj struct {
	im  *importer
	url string // the object's id (or where it was found)
	m   map[string]any
}

func (o obj) problem(kind, detail string) { o.im.problem(o.url, kind, detail) }

// typ is the object's type name without the schema prefix ("Paper").
func (o obj) typ() string { return typeName(o.m["type"]) }

func typeName(v any) string {
	s, _ := v.(string)
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "/"); i >= 0 {
		s = s[i+1:]
	}
	return s
}

// placeholders are values that mean "nothing".
var placeholders = map[string]bool{"": true, "n/a": true, "n.a.": true, "na": true, "-": true, "--": true,
	"null": true, "none": true, "k.a.": true, "keine angabe": true}

// clean replaces NBSP by spaces and trims; reports whether s changed.
func clean(s string) (string, bool) {
	c := strings.TrimSpace(strings.ReplaceAll(s, "\u00a0", " "))
	return c, c != s
}

// str is a cleaned string field: padded whitespace and NBSP are trimmed,
// placeholders ("", " ", "N/A", …) become "", both reported.
func (o obj) str(key string) string {
	v, ok := o.m[key]
	if !ok || v == nil {
		return ""
	}
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case json.Number:
		return x.String()
	default:
		o.problem("wrong-type", fmt.Sprintf("%s is %T, not a string", key, v))
		return ""
	}
	c, changed := clean(s)
	if placeholders[strings.ToLower(c)] {
		o.problem("placeholder", fmt.Sprintf("%s = %q", key, s))
		return ""
	}
	if changed {
		o.problem("whitespace", fmt.Sprintf("%s = %q", key, s))
	}
	return c
}

// text is a long text field: NBSP and padding removed silently.
func (o obj) text(key string) string {
	s, _ := o.m[key].(string)
	c, _ := clean(s)
	if placeholders[strings.ToLower(c)] {
		return ""
	}
	return c
}

// strs is a cleaned list of strings (a single string is taken as a list).
func (o obj) strs(key string) []string {
	var out []string
	switch x := o.m[key].(type) {
	case string:
		if s := o.str(key); s != "" {
			out = append(out, s)
		}
	case []any:
		for i, e := range x {
			s, _ := e.(string)
			sub := obj{im: o.im, url: o.url, m: map[string]any{fmt.Sprintf("%s[%d]", key, i): s}}
			if c := sub.str(fmt.Sprintf("%s[%d]", key, i)); c != "" {
				out = append(out, c)
			}
		}
	}
	return out
}

func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && !strings.ContainsAny(s, " \t\n")
}

// link is a URL field; a non-URL value is reported and dropped.
func (o obj) link(key string) string {
	s := o.str(key)
	if s != "" && !validURL(s) {
		o.problem("not-a-url", fmt.Sprintf("%s = %q", key, s))
		return ""
	}
	return s
}

// links is a list of URLs (embedded objects give their id).
func (o obj) links(key string) []string {
	var out []string
	add := func(i int, v any) {
		if m, ok := v.(map[string]any); ok {
			v = m["id"]
		}
		s, _ := v.(string)
		k := fmt.Sprintf("%s[%d]", key, i)
		if u := (obj{im: o.im, url: o.url, m: map[string]any{k: s}}).link(k); u != "" {
			out = append(out, u)
		}
	}
	switch x := o.m[key].(type) {
	case string:
		add(0, x)
	case []any:
		for i, e := range x {
			add(i, e)
		}
	}
	return out
}

// boolean reads a boolean, accepting "true"/"false" strings.
func (o obj) boolean(key string, def bool) bool {
	switch x := o.m[key].(type) {
	case bool:
		return x
	case string:
		if b, err := strconv.ParseBool(strings.TrimSpace(x)); err == nil {
			o.problem("wrong-type", fmt.Sprintf("%s is the string %q", key, x))
			return b
		}
	}
	return def
}

// integer reads a number (or numeric string); ok is false when absent.
func (o obj) integer(key string) (int, bool) {
	switch x := o.m[key].(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return int(n), true
		}
		if f, err := x.Float64(); err == nil {
			return int(f), true
		}
	case string:
		if n, err := strconv.Atoi(strings.TrimSpace(x)); err == nil {
			o.problem("wrong-type", fmt.Sprintf("%s is the string %q", key, x))
			return n, true
		}
	}
	return 0, false
}

// berlin is the zone of date-times without an offset.
func berlin() *time.Location {
	if l, err := time.LoadLocation("Europe/Berlin"); err == nil {
		return l
	}
	return time.UTC
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05Z07",
	"2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02"}

func parseTime(s string) (time.Time, bool) {
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, berlin()); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// datetime reads a date-time leniently; zero when absent or malformed.
func (o obj) datetime(key string) time.Time {
	s := o.str(key)
	if s == "" {
		return time.Time{}
	}
	t, ok := parseTime(s)
	if !ok {
		o.problem("bad-date", fmt.Sprintf("%s = %q", key, s))
	}
	return t
}

// date reads a date (a date-time gives its day); nil when absent.
func (o obj) date(key string) *time.Time {
	t := o.datetime(key)
	if t.IsZero() {
		return nil
	}
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return &d
}

// ags repairs an AGS that lost its leading zero (7 digits).
func (o obj) ags() string {
	s := strings.ReplaceAll(o.str("ags"), " ", "")
	if len(s) == 7 && strings.Trim(s, "0123456789") == "" {
		o.problem("ags", fmt.Sprintf("ags %q lacks its leading zero", s))
		s = "0" + s
	}
	return s
}

// geo reads geojson as a Feature or a Point, also as a JSON string, with
// [lon, lat] coordinates (also as strings, or swapped to [lat, lon]).
func (o obj) geo() (lat, lon float64, ok bool) {
	v, present := o.m["geojson"]
	if !present || v == nil {
		return 0, 0, false
	}
	if s, isStr := v.(string); isStr {
		o.problem("geojson-string", "geojson is a JSON string")
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			o.problem("geojson-invalid", fmt.Sprintf("geojson string: %v", err))
			return 0, 0, false
		}
	}
	m, _ := v.(map[string]any)
	if g, isMap := m["geometry"].(map[string]any); isMap {
		m = g
	}
	if s, isStr := m["coordinates"].(string); isStr {
		o.problem("geojson-string", "coordinates are a string")
		var c any
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		if err := dec.Decode(&c); err == nil {
			m["coordinates"] = c
		}
	}
	c, _ := m["coordinates"].([]any)
	if len(c) < 2 || typeName(m["type"]) != "Point" {
		o.problem("geojson-invalid", "geojson is not a Point with two coordinates")
		return 0, 0, false
	}
	var xy [2]float64
	for i := range 2 {
		var err error
		switch n := c[i].(type) {
		case json.Number:
			xy[i], err = n.Float64()
		case string:
			o.problem("geojson-string", fmt.Sprintf("coordinate %q is a string", n))
			xy[i], err = strconv.ParseFloat(strings.TrimSpace(n), 64)
		default:
			err = fmt.Errorf("coordinate is %T", n)
		}
		if err != nil || math.IsNaN(xy[i]) {
			o.problem("geojson-invalid", fmt.Sprintf("coordinate %d: %v", i, err))
			return 0, 0, false
		}
	}
	lon, lat = xy[0], xy[1]
	// [lat, lon]: the second value is no latitude, or the pair lies in
	// Germany only when read the other way round.
	inDE := func(lat, lon float64) bool { return lat >= 47 && lat <= 55.2 && lon >= 5.5 && lon <= 15.5 }
	if math.Abs(lat) > 90 && math.Abs(lon) <= 90 || inDE(lon, lat) && !inDE(lat, lon) {
		o.problem("geojson-order", fmt.Sprintf("coordinates [%g, %g] are [lat, lon]", xy[0], xy[1]))
		lat, lon = lon, lat
	}
	if math.Abs(lat) > 90 || math.Abs(lon) > 180 {
		o.problem("geojson-invalid", fmt.Sprintf("coordinates [%g, %g] out of range", xy[0], xy[1]))
		return 0, 0, false
	}
	return lat, lon, true
}
