package deploy

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	k8sjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// kustomizeRoot is deploy/kustomize, from this package's directory.
var kustomizeRoot = filepath.Join("..", "..", "deploy", "kustomize")

// strictKube decodes manifests into client-go's types strictly: an unknown
// or duplicated field is an error, as `kubectl apply --validate=strict`
// reports it (the same decoder as internal/cli's examples test).
var strictKube = k8sjson.NewSerializerWithOptions(k8sjson.DefaultMetaFactory, scheme.Scheme, scheme.Scheme,
	k8sjson.SerializerOptions{Yaml: true, Strict: true})

// object is one rendered manifest: its YAML and its typed form.
type object struct {
	yaml []byte
	obj  runtime.Object
}

// render builds the kustomization in dir (relative to deploy/kustomize) with
// the on-disk filesystem and kustomize's default options, the build of
// `kubectl kustomize`, and decodes every object strictly.
func render(t *testing.T, dir string) []object {
	t.Helper()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	m, err := k.Run(filesys.MakeFsOnDisk(), filepath.Join(kustomizeRoot, dir))
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	out, err := m.AsYaml()
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	var objs []object
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(out)))
	for i := 0; ; i++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: document %d: %v", dir, i, err)
		}
		obj, gvk, err := strictKube.Decode(doc, nil, nil)
		if err != nil {
			t.Errorf("%s: document %d does not decode strictly into client-go types: %v\n%s", dir, i, err, doc)
			continue
		}
		if gvk.Kind == "" {
			t.Errorf("%s: document %d has no kind", dir, i)
			continue
		}
		objs = append(objs, object{yaml: doc, obj: obj})
	}
	if len(objs) == 0 {
		t.Fatalf("%s: kustomize built nothing", dir)
	}
	return objs
}
