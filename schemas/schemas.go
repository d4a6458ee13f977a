// Package schemas holds the JSON Schemas of irsa-sync's file formats.
//
// They are embedded so that the loader, the tests and any editor pointed at
// the files in this directory all read exactly the same bytes.
package schemas

import "embed"

// FS holds every *.json schema of this directory.
//
//go:embed *.json
var FS embed.FS

// Bindings is schemas/bindings.schema.json, the schema of a bindings file.
func Bindings() []byte {
	b, err := FS.ReadFile(BindingsName)
	if err != nil {
		// The file is embedded at build time; failing here means the build
		// itself is broken, not the input.
		panic("schemas: " + err.Error())
	}
	return b
}

// BindingsName is the file name of the bindings schema, which is also the
// last part of its $id.
const BindingsName = "bindings.schema.json"
