package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	k8sjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/policy"
)

// strictKube decodes Kubernetes manifests into client-go's types (the
// scheme behind scheme.Codecs.UniversalDeserializer), strictly: an unknown
// or duplicated field is an error, as `kubectl apply --validate=strict`
// would report it.
var strictKube = k8sjson.NewSerializerWithOptions(k8sjson.DefaultMetaFactory, scheme.Scheme, scheme.Scheme,
	k8sjson.SerializerOptions{Yaml: true, Strict: true})

// TestExamplesParse reads every file under examples/: bindings files load
// and validate, Kubernetes manifests decode into client-go types, JSON
// policies parse as IAM documents, and the rest is YAML without duplicate
// keys.
func TestExamplesParse(t *testing.T) {
	checked := map[string]int{}
	err := filepath.WalkDir("../../examples", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		switch filepath.Ext(path) {
		case ".json":
			if _, err := policy.Parse(b); err != nil {
				t.Errorf("%s: not an IAM policy document: %v", path, err)
			}
			checked["json"]++
		case ".yaml", ".yml":
			checked[checkYAML(t, path, b)]++
		default:
			t.Errorf("%s: no check for this kind of file", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The examples this repository promises; a test that found none of
	// them would prove nothing.
	for kind, min := range map[string]int{"bindings": 1, "connections": 1, "kubernetes": 6, "json": 1, "yaml": 2} {
		if checked[kind] < min {
			t.Errorf("checked %d %s files, want at least %d (all: %v)", checked[kind], kind, min, checked)
		}
	}
}

// bindingsFile matches a bindings file's top-level apiVersion (and not one
// embedded, indented, in a ConfigMap).
var bindingsFile = regexp.MustCompile(`(?m)^apiVersion: irsa-sync/v1$`)

// connectionsFile matches a connections file's top-level kind.
var connectionsFile = regexp.MustCompile(`(?m)^kind: Connections$`)

// checkConnections loads a connections file and validates it against the
// example bindings file, which every connections example is for.
func checkConnections(t *testing.T, path string) {
	t.Helper()
	f, err := config.Load(example)
	if err != nil {
		t.Fatal(err)
	}
	conns, err := config.LoadConnections(path)
	if err != nil {
		t.Errorf("%s: %v", path, err)
		return
	}
	if diags := config.ValidateConnections(conns, f); diags != nil {
		t.Errorf("%s: %v", path, diags)
	}
}

// checkYAML checks each document of a YAML file and says what the file was.
func checkYAML(t *testing.T, path string, b []byte) string {
	t.Helper()
	if connectionsFile.Match(b) {
		checkConnections(t, path)
		return "connections"
	}
	if bindingsFile.Match(b) {
		checkBindings(t, path, b)
		return "bindings"
	}
	kind := "yaml"
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(b)))
	for i := 0; ; i++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Errorf("%s: document %d: %v", path, i, err)
			return kind
		}
		js, err := yaml.YAMLToJSONStrict(doc)
		if err != nil {
			t.Errorf("%s: document %d: %v", path, i, err)
			continue
		}
		var head struct{ APIVersion, Kind string }
		if err := json.Unmarshal(js, &head); err != nil || head.Kind == "" {
			continue // a workflow, or a document of comments only
		}
		kind = "kubernetes"
		obj, _, err := strictKube.Decode(doc, nil, nil)
		if err != nil {
			t.Errorf("%s: document %d (%s %s): %v", path, i, head.APIVersion, head.Kind, err)
			continue
		}
		checkEmbeddedBindings(t, path, obj)
	}
	return kind
}

func checkBindings(t *testing.T, path string, b []byte) {
	t.Helper()
	f, err := config.Parse(b, path)
	if err != nil {
		t.Errorf("%s: %v", path, err)
		return
	}
	if diags := config.Validate(f); len(diags) > 0 {
		t.Errorf("%s: %v", path, diags)
	}
}

// checkEmbeddedBindings validates a bindings file shipped inside a
// ConfigMap, the alternative to git-sync in examples/cronjob.
func checkEmbeddedBindings(t *testing.T, path string, obj runtime.Object) {
	t.Helper()
	cm, ok := obj.(*corev1.ConfigMap)
	if !ok {
		return
	}
	for key, data := range cm.Data {
		if strings.HasSuffix(key, ".yaml") && strings.Contains(data, "irsa-sync/v1") {
			checkBindings(t, path+" ConfigMap "+cm.Name+" key "+key, []byte(data))
		}
	}
}

// TestStrictDecodingCatchesUnknownFields makes sure the manifest check can
// fail.
func TestStrictDecodingCatchesUnknownFields(t *testing.T) {
	_, _, err := strictKube.Decode([]byte("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: x}\nspec: {schedule: '* * * * *', concurrencyPolicyy: Forbid}\n"), nil, nil)
	if err == nil || !strings.Contains(err.Error(), "concurrencyPolicyy") {
		t.Errorf("a misspelt field decoded: %v", err)
	}
}
