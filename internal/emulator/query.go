package emulator

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Helpers that read awsQuery parameters: lists arrive as Name.member.N and
// structures as Name.member.N.Field.

func (c *call) required(name, field string) (string, error) {
	v, ok := c.form[name]
	if !ok || len(v) == 0 || v[0] == "" {
		return "", errConstraint("null", field, "Member must not be null")
	}
	return v[0], nil
}

// members returns Name.member.1, Name.member.2, … in index order.
func (c *call) members(name string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := c.form[fmt.Sprintf("%s.member.%d", name, i)]
		if !ok {
			return out
		}
		out = append(out, v[0])
	}
}

func (c *call) tags(name string) ([]tag, error) {
	var out []tag
	for i := 1; ; i++ {
		prefix := fmt.Sprintf("%s.member.%d.", name, i)
		k, ok := c.form[prefix+"Key"]
		if !ok {
			break
		}
		out = append(out, tag{Key: k[0], Value: c.form.Get(prefix + "Value")})
	}
	if len(out) > 50 {
		return nil, errConstraint(fmt.Sprint(len(out)), "tags", "Member must have length less than or equal to 50")
	}
	for _, t := range out {
		if len(t.Key) < 1 || len(t.Key) > 128 || !tagPattern.MatchString(t.Key) {
			return nil, errConstraint(t.Key, "tags.member.key", "Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+")
		}
		if len(t.Value) > 256 || !tagValuePattern.MatchString(t.Value) {
			return nil, errConstraint(t.Value, "tags.member.value", "Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*")
		}
	}
	return out, nil
}

var (
	tagPattern      = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$`)
	tagValuePattern = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
)

func (c *call) int32Param(name, field string, def, min, max int32) (int32, error) {
	s := c.form.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, errConstraint(s, field, "Member must be a number")
	}
	if int32(n) < min {
		return 0, errConstraint(s, field, fmt.Sprintf("Member must have value greater than or equal to %d", min))
	}
	if int32(n) > max {
		return 0, errConstraint(s, field, fmt.Sprintf("Member must have value less than or equal to %d", max))
	}
	return int32(n), nil
}

// mergeTags applies TagX semantics: IAM tag keys match case-insensitively,
// an existing key takes the new value, and the total is capped at 50.
func mergeTags(have, add []tag) ([]tag, error) {
	out := append([]tag(nil), have...)
	for _, t := range add {
		found := false
		for i := range out {
			if strings.EqualFold(out[i].Key, t.Key) {
				out[i].Value, found = t.Value, true
			}
		}
		if !found {
			out = append(out, t)
		}
	}
	if len(out) > 50 {
		return nil, errLimit("Cannot exceed quota for TagsPerResource: 50")
	}
	return out, nil
}

func removeTags(have []tag, keys []string) []tag {
	var out []tag
	for _, t := range have {
		drop := false
		for _, k := range keys {
			drop = drop || strings.EqualFold(k, t.Key)
		}
		if !drop {
			out = append(out, t)
		}
	}
	return out
}

func xmlTags(ts []tag) []xmlTag {
	out := make([]xmlTag, 0, len(ts))
	for _, t := range ts {
		out = append(out, xmlTag(t))
	}
	return out
}

// page is one page of a paged IAM list.
type page struct {
	start, end int
	marker     string
	truncated  bool
}

// paginate pages a list sorted by keys. The marker encodes the last key
// returned, not an offset, so concurrent creates and deletes never make a
// client following markers see an item twice or skip one that stayed put.
func (e *Emulator) paginate(c *call, keys []string) (page, error) {
	if !sort.StringsAreSorted(keys) {
		panic("emulator: paginate needs sorted keys")
	}
	max, err := c.int32Param("MaxItems", "maxItems", 100, 1, 1000)
	if err != nil {
		return page{}, err
	}
	if e.opts.PageSize > 0 && int(max) > e.opts.PageSize {
		max = int32(e.opts.PageSize)
	}
	p := page{}
	if m := c.form.Get("Marker"); m != "" {
		last, err := base64.RawURLEncoding.DecodeString(m)
		if err != nil {
			return page{}, errValidation("Invalid Marker.")
		}
		p.start = sort.SearchStrings(keys, string(last))
		if p.start < len(keys) && keys[p.start] == string(last) {
			p.start++
		}
	}
	p.end = min(p.start+int(max), len(keys))
	if p.end < len(keys) {
		p.truncated = true
		p.marker = base64.RawURLEncoding.EncodeToString([]byte(keys[p.end-1]))
	}
	return p, nil
}

// xmlTagList wraps optional Tags: encoding/xml writes the parent of an
// "a>b" path even for an empty slice, and AWS omits Tags when there are none.
type xmlTagList struct {
	Member []xmlTag `xml:"member"`
}

func tagList(ts []tag) *xmlTagList {
	if len(ts) == 0 {
		return nil
	}
	return &xmlTagList{xmlTags(ts)}
}
