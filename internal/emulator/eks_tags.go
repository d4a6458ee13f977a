package emulator

import "strings"

// TagResource, UntagResource and ListTagsForResource on Pod Identity
// association ARNs. EKS also tags clusters, node groups, add-ons, Fargate
// profiles and identity provider configs; the emulator tags associations
// only, and answers NotFoundException for any other ARN.

func init() {
	handlers["eks"]["TagResource"] = tagEKSResource
	handlers["eks"]["UntagResource"] = untagEKSResource
	handlers["eks"]["ListTagsForResource"] = listEKSTags
}

// taggedAssociation resolves
// arn:<partition>:eks:<region>:<account>:podidentityassociation/<cluster>/<id>
// in the caller's account.
func (c *call) taggedAssociation() (*association, error) {
	arn := c.labels["resourceArn"]
	notFound := errf(404, "NotFoundException", "Resource %s not found.", arn)
	p, ok := parseARN(arn)
	if !ok || p.service != "eks" {
		return nil, errf(400, "BadRequestException", "%s is not a valid ARN.", arn)
	}
	if p.partition != c.partition || p.account != c.acct.ID || p.region != c.region {
		return nil, notFound
	}
	kind, rest, _ := strings.Cut(p.resource, "/")
	name, id, _ := strings.Cut(rest, "/")
	cl := c.acct.Clusters[p.region+"/"+name]
	if kind != "podidentityassociation" || cl == nil || cl.Associations[id] == nil {
		return nil, notFound
	}
	return cl.Associations[id], nil
}

func tagEKSResource(e *Emulator, c *call) (any, error) {
	a, err := c.taggedAssociation()
	if err != nil {
		return nil, err
	}
	var in struct{ Tags map[string]string }
	if err := c.decodeBody(&in); err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, errf(400, "BadRequestException", "tags must not be empty.")
	}
	merged := map[string]string{}
	for k, v := range a.Tags {
		merged[k] = v
	}
	for k, v := range in.Tags {
		merged[k] = v
	}
	if err := validateEKSTags(merged); err != nil {
		return nil, err
	}
	a.Tags = merged
	return map[string]any{}, nil
}

func untagEKSResource(e *Emulator, c *call) (any, error) {
	a, err := c.taggedAssociation()
	if err != nil {
		return nil, err
	}
	keys := c.query["tagKeys"]
	if len(keys) == 0 {
		return nil, errf(400, "BadRequestException", "tagKeys must not be empty.")
	}
	for _, k := range keys {
		delete(a.Tags, k)
	}
	return map[string]any{}, nil
}

func listEKSTags(e *Emulator, c *call) (any, error) {
	a, err := c.taggedAssociation()
	if err != nil {
		return nil, err
	}
	return map[string]any{"tags": tagMap(a.Tags)}, nil
}
