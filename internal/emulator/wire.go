package emulator

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// APIError is an error as AWS returns it: an HTTP status and an error code
// the SDK maps to its typed errors (NoSuchEntity → *types.NoSuchEntityException).
// Fault hooks return it to inject throttling or outages.
type APIError struct {
	Status  int
	Code    string
	Message string
}

func (e *APIError) Error() string { return fmt.Sprintf("%s (%d): %s", e.Code, e.Status, e.Message) }

func errf(status int, code, format string, args ...any) *APIError {
	return &APIError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// The IAM errors used throughout, with the statuses IAM documents for them.
func errNoSuchEntity(format string, args ...any) *APIError {
	return errf(404, "NoSuchEntity", format, args...)
}
func errAlreadyExists(format string, args ...any) *APIError {
	return errf(409, "EntityAlreadyExists", format, args...)
}
func errLimit(format string, args ...any) *APIError {
	return errf(409, "LimitExceeded", format, args...)
}
func errDeleteConflict(format string, args ...any) *APIError {
	return errf(409, "DeleteConflict", format, args...)
}
func errMalformed(format string, args ...any) *APIError {
	return errf(400, "MalformedPolicyDocument", format, args...)
}
func errValidation(format string, args ...any) *APIError {
	return errf(400, "ValidationError", format, args...)
}

// errConstraint words a validation error the way AWS's request validator does.
func errConstraint(value, field, constraint string) *APIError {
	return errValidation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, field, constraint)
}

const iamXMLNS = "https://iam.amazonaws.com/doc/2010-05-08/"
const stsXMLNS = "https://sts.amazonaws.com/doc/2011-06-15/"

func (e *Emulator) requestID() string {
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", e.reqSeq, 0, 0, 0, e.reqSeq)
}

// writeQueryResult writes the awsQuery envelope:
// <XResponse><XResult>…</XResult><ResponseMetadata><RequestId>…
func (e *Emulator) writeQueryResult(w http.ResponseWriter, c *call, result any) {
	ns := iamXMLNS
	if c.service == "sts" {
		ns = stsXMLNS
	}
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	root := xml.StartElement{Name: xml.Name{Local: c.action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: ns}}}
	if err := enc.EncodeToken(root); err != nil {
		e.writeError(w, c, err)
		return
	}
	if result != nil {
		if err := enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: c.action + "Result"}}); err != nil {
			e.writeError(w, c, err)
			return
		}
	}
	meta := struct {
		RequestID string `xml:"RequestId"`
	}{e.requestID()}
	if err := enc.EncodeElement(meta, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}}); err != nil {
		e.writeError(w, c, err)
		return
	}
	_ = enc.EncodeToken(root.End())
	_ = enc.Flush()
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", e.requestID())
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

type queryErrorBody struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string
		Code    string
		Message string
	}
	RequestID string `xml:"RequestId"`
}

// writeError writes err in the caller's protocol: an awsQuery ErrorResponse
// for IAM and STS, x-amzn-errortype plus a JSON body for EKS.
func (e *Emulator) writeError(w http.ResponseWriter, c *call, err error) {
	ae := asAPIError(err)
	w.Header().Set("x-amzn-RequestId", e.requestID())
	if c.service == "eks" {
		w.Header().Set("x-amzn-ErrorType", ae.Code)
		body := map[string]string{"message": ae.Message}
		if ae.Code == "ResourceNotFoundException" {
			for label, field := range map[string]string{"clusterName": "clusterName", "addonName": "addonName", "fargateProfileName": "fargateProfileName"} {
				if v := c.labels[label]; v != "" {
					body[field] = v
				}
			}
		}
		writeJSON(w, ae.Status, body)
		return
	}
	var b queryErrorBody
	b.Xmlns = iamXMLNS
	if c.service == "sts" {
		b.Xmlns = stsXMLNS
	}
	b.Error.Type = "Sender"
	if ae.Status >= 500 {
		b.Error.Type = "Receiver"
	}
	b.Error.Code, b.Error.Message, b.RequestID = ae.Code, ae.Message, e.requestID()
	out, _ := xml.Marshal(b)
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(ae.Status)
	_, _ = w.Write(out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	out, err := json.Marshal(v)
	if err != nil {
		status, out = 500, []byte(`{"message":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// isoTime formats a timestamp the way IAM and STS do.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// xmlTag is a Tag as IAM writes it inside <Tags><member>.
type xmlTag struct {
	Key   string
	Value string
}
