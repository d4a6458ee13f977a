package emulator

import (
	"regexp"
	"sort"
	"strings"
)

func init() {
	for name, h := range map[string]handler{
		"CreateOpenIDConnectProvider":             createOIDCProvider,
		"GetOpenIDConnectProvider":                getOIDCProvider,
		"ListOpenIDConnectProviders":              listOIDCProviders,
		"DeleteOpenIDConnectProvider":             deleteOIDCProvider,
		"AddClientIDToOpenIDConnectProvider":      addClientID,
		"RemoveClientIDFromOpenIDConnectProvider": removeClientID,
		"TagOpenIDConnectProvider":                tagOIDCProvider,
		"UntagOpenIDConnectProvider":              untagOIDCProvider,
		"ListOpenIDConnectProviderTags":           listOIDCProviderTags,
	} {
		handlers["iam"][name] = h
	}
}

var thumbprintPattern = regexp.MustCompile(`^[0-9A-Fa-f]{40}$`)

func (a *account) providerArn(url string) string { return providerArnIn(a.partition(), a.ID, url) }

// provider resolves OpenIDConnectProviderArn within the caller's account.
func (a *account) provider(c *call) (*provider, error) {
	arn, err := c.required("OpenIDConnectProviderArn", "openIDConnectProviderArn")
	if err != nil {
		return nil, err
	}
	if p, ok := parseARN(arn); ok && p.service == "iam" && p.partition != a.partition() {
		return nil, errInvalidPartition()
	}
	url, ok := strings.CutPrefix(arn, a.providerArn(""))
	if !ok {
		if p, ok := parseARN(arn); !ok || p.service != "iam" || !strings.HasPrefix(p.resource, "oidc-provider/") {
			return nil, errf(400, "InvalidInput", "Invalid ARN: %s", arn)
		}
		return nil, errNoSuchEntity("OpenIDConnect Provider not found for arn %s", arn)
	}
	p := a.Providers[strings.ToLower(url)]
	if p == nil {
		return nil, errNoSuchEntity("OpenIDConnect Provider not found for arn %s", arn)
	}
	return p, nil
}

func validateClientID(id string) error {
	if len(id) < 1 || len(id) > 255 {
		return errConstraint(id, "clientIDList.member", "Member must have length between 1 and 255")
	}
	return nil
}

func createOIDCProvider(e *Emulator, c *call) (any, error) {
	a := c.acct
	raw, err := c.required("Url", "url")
	if err != nil {
		return nil, err
	}
	url, ok := strings.CutPrefix(raw, "https://")
	if !ok || url == "" || len(raw) > 255 {
		return nil, errValidation("Invalid Open ID Connect Provider URL")
	}
	url = strings.TrimSuffix(url, "/")
	clientIDs := c.members("ClientIDList")
	if len(clientIDs) > 100 {
		return nil, errLimit("Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100")
	}
	for _, id := range clientIDs {
		if err := validateClientID(id); err != nil {
			return nil, err
		}
	}
	thumbs := c.members("ThumbprintList")
	if len(thumbs) > 5 {
		return nil, errConstraint("["+strings.Join(thumbs, ", ")+"]", "thumbprintList", "Member must have length less than or equal to 5")
	}
	for _, t := range thumbs {
		if !thumbprintPattern.MatchString(t) {
			return nil, errConstraint(t, "thumbprintList.member", "Member must have length greater than or equal to 40")
		}
	}
	tags, err := c.tags("Tags")
	if err != nil {
		return nil, err
	}
	if a.Providers[strings.ToLower(url)] != nil {
		return nil, errAlreadyExists("Provider with url %s already exists.", raw)
	}
	if q := a.quota("OpenIdConnectProvidersQuota"); len(a.Providers) >= int(q) {
		return nil, errLimit("Cannot exceed quota for OpenIdConnectProvidersPerAccount: %d", q)
	}
	a.Providers[strings.ToLower(url)] = &provider{URL: url, ClientIDs: dedupe(clientIDs), Thumbprints: thumbs, Tags: tags, Created: e.now()}
	return struct {
		OpenIDConnectProviderArn string
		Tags                     *xmlTagList `xml:",omitempty"`
	}{a.providerArn(url), tagList(tags)}, nil
}

func dedupe(in []string) []string {
	out := []string{}
	for _, s := range in {
		found := false
		for _, o := range out {
			found = found || o == s
		}
		if !found {
			out = append(out, s)
		}
	}
	return out
}

func getOIDCProvider(e *Emulator, c *call) (any, error) {
	p, err := c.acct.provider(c)
	if err != nil {
		return nil, err
	}
	return struct {
		Url            string
		ClientIDList   []string `xml:"ClientIDList>member"`
		ThumbprintList []string `xml:"ThumbprintList>member"`
		CreateDate     string
		Tags           []xmlTag `xml:"Tags>member"`
	}{p.URL, p.ClientIDs, p.Thumbprints, isoTime(p.Created), xmlTags(p.Tags)}, nil
}

func listOIDCProviders(e *Emulator, c *call) (any, error) {
	urls := make([]string, 0, len(c.acct.Providers))
	for k := range c.acct.Providers {
		urls = append(urls, k)
	}
	sort.Strings(urls)
	type entry struct{ Arn string }
	out := struct {
		OpenIDConnectProviderList []entry `xml:"OpenIDConnectProviderList>member"`
	}{[]entry{}}
	for _, k := range urls {
		out.OpenIDConnectProviderList = append(out.OpenIDConnectProviderList, entry{c.acct.providerArn(c.acct.Providers[k].URL)})
	}
	return out, nil
}

func deleteOIDCProvider(e *Emulator, c *call) (any, error) {
	p, err := c.acct.provider(c)
	if err != nil {
		return nil, err
	}
	delete(c.acct.Providers, strings.ToLower(p.URL))
	return nil, nil
}

func addClientID(e *Emulator, c *call) (any, error) {
	p, err := c.acct.provider(c)
	if err != nil {
		return nil, err
	}
	id, err := c.required("ClientID", "clientID")
	if err != nil {
		return nil, err
	}
	if err := validateClientID(id); err != nil {
		return nil, err
	}
	p.ClientIDs = dedupe(append(p.ClientIDs, id)) // idempotent, as documented
	if len(p.ClientIDs) > 100 {
		p.ClientIDs = p.ClientIDs[:100]
		return nil, errLimit("Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100")
	}
	return nil, nil
}

func removeClientID(e *Emulator, c *call) (any, error) {
	p, err := c.acct.provider(c)
	if err != nil {
		return nil, err
	}
	id, err := c.required("ClientID", "clientID")
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, have := range p.ClientIDs {
		if have != id {
			out = append(out, have)
		}
	}
	p.ClientIDs = out // removing an absent id succeeds, as documented
	return nil, nil
}

func tagOIDCProvider(e *Emulator, c *call) (any, error) {
	p, err := c.acct.provider(c)
	if err != nil {
		return nil, err
	}
	tags, err := c.tags("Tags")
	if err != nil {
		return nil, err
	}
	merged, err := mergeTags(p.Tags, tags)
	if err != nil {
		return nil, err
	}
	p.Tags = merged
	return nil, nil
}

func untagOIDCProvider(e *Emulator, c *call) (any, error) {
	p, err := c.acct.provider(c)
	if err != nil {
		return nil, err
	}
	p.Tags = removeTags(p.Tags, c.members("TagKeys"))
	return nil, nil
}

func listOIDCProviderTags(e *Emulator, c *call) (any, error) {
	p, err := c.acct.provider(c)
	if err != nil {
		return nil, err
	}
	return e.tagsPage(c, p.Tags)
}
