package config

// ValidateForImport checks a file given to `irsa-sync import`: every rule of
// Validate, except that roles may be missing, since listing what exists is
// the import's job. Everything else must hold already, so that the accounts
// and clusters it reads are the ones the written file will name.
func ValidateForImport(f *File) Diagnostics {
	var out Diagnostics
	for _, d := range Validate(f) {
		if d.Path == "roles" && f.Roles == nil {
			continue
		}
		out = append(out, d)
	}
	return out
}
