package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// header opens every imported file; it names no time or host, so two
// imports of one estate are byte-identical.
const header = `# Written by "irsa-sync import" from the live estate. Review it (each role's
# trust is generated from its serviceAccounts; adopt: true marks objects
# irsa-sync will take ownership of), then "irsa-sync plan" shows only the
# adoption, and "irsa-sync apply" makes it.
`

// YAML writes the imported file: the fields in the order of config's types,
// maps sorted, block style, and the comments of roles kept with
// --include-unrepresentable above them.
func YAML(res *Result) ([]byte, error) {
	js, err := json.Marshal(res.File)
	if err != nil {
		return nil, fmt.Errorf("encode the imported file: %w", err)
	}
	// JSON is YAML: decoding it into nodes keeps the struct field order,
	// which yaml's own encoding of these json-tagged types would not.
	var doc yaml.Node
	if err := yaml.Unmarshal(js, &doc); err != nil {
		return nil, fmt.Errorf("encode the imported file: %w", err)
	}
	root := doc.Content[0]
	blockStyle(root)
	dropEmpty(root, "settings")
	if roles := value(root, "roles"); roles != nil {
		for i, item := range roles.Content {
			if lines, ok := res.Comments[i]; ok {
				item.HeadComment = strings.Join(lines, "\n")
			}
		}
	}
	var buf bytes.Buffer
	buf.WriteString(header)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("encode the imported file: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode the imported file: %w", err)
	}
	return buf.Bytes(), nil
}

// blockStyle clears the flow style and quoting JSON gave each node. Strings
// keep their !!str tag, so the encoder still quotes those that would read
// back as another type (an account id, "true").
func blockStyle(n *yaml.Node) {
	n.Style = 0
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		if len(n.Content) == 0 {
			n.Style = yaml.FlowStyle // {} and [] rather than nothing
		}
	}
	for _, c := range n.Content {
		blockStyle(c)
	}
}

// value returns the value node of key in a mapping node, or nil.
func value(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// dropEmpty removes key from a mapping when its value is an empty mapping
// (encoding/json writes settings: {} for a zero struct).
func dropEmpty(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key && m.Content[i+1].Kind == yaml.MappingNode && len(m.Content[i+1].Content) == 0 {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}
