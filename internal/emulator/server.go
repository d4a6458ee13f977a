package emulator

import (
	"context"
	"crypto"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Options tunes an Emulator.
type Options struct {
	// PageSize caps the items per page of every paged IAM and EKS list. 0
	// keeps AWS's defaults (MaxItems and maxResults default to 100). Tests
	// shrink it to 1 so that every caller is forced to follow Marker and
	// nextToken.
	PageSize int
	// Latency is added to every call, to make benchmarks feel like a real
	// control-plane API.
	Latency time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// AssociationsPerCluster overrides EKS's 5,000 Pod Identity
	// associations per cluster, so tests can reach the quota.
	AssociationsPerCluster int
}

// Credentials are the keys a client signs its requests with.
type Credentials struct{ AccessKeyID, SecretAccessKey, SessionToken string }

// Emulator holds every emulated account and serves the IAM, STS and EKS APIs
// from one HTTP endpoint. It is safe for concurrent use.
type Emulator struct {
	opts Options

	mu       sync.Mutex
	st       *state
	sessions map[string]*principal // temporary credentials from AssumeRole
	calls    map[string]int
	writes   map[string]int
	fault    func(service, action string) error
	reqSeq   uint64
	// issuerKeys are the OIDC signing keys by normalised issuer, standing
	// in for the JWKS IAM fetches (see RegisterIssuerKeys).
	issuerKeys map[string][]crypto.PublicKey

	srv *http.Server
	ln  net.Listener
}

// New returns an empty emulator.
func New(opts Options) *Emulator {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Emulator{
		opts:     opts,
		st:       newState(),
		sessions: map[string]*principal{},
		calls:    map[string]int{},
		writes:   map[string]int{},
	}
}

// Handler serves IAM, STS and EKS on one endpoint. Requests are routed by the
// service named in the SigV4 credential scope, as a real client signs for the
// service it means to call.
func (e *Emulator) Handler() http.Handler { return http.HandlerFunc(e.serveHTTP) }

// Start serves the emulator on a free loopback port and returns its base URL.
func (e *Emulator) Start() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	e.mu.Lock()
	e.ln = ln
	e.srv = &http.Server{Handler: e.Handler(), ReadHeaderTimeout: 10 * time.Second}
	srv := e.srv
	e.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), nil
}

// Close stops the server started by Start. State is kept, so a closed
// emulator can still be marshalled.
func (e *Emulator) Close() error {
	e.mu.Lock()
	srv := e.srv
	e.srv, e.ln = nil, nil
	e.mu.Unlock()
	if srv == nil {
		return nil
	}
	// Shutdown lets requests in flight finish. A connection a client dialled
	// but never used counts as busy for five seconds, so after a short wait
	// the rest are closed outright: nothing is in flight on them.
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil && errors.Is(err, context.DeadlineExceeded) {
		return srv.Close()
	} else if err != nil {
		return err
	}
	return nil
}

// SetFault installs a hook consulted before every action. A non-nil error is
// returned to the caller as an AWS error: an *APIError keeps its status and
// code, any other error becomes a 500 ServiceFailure.
func (e *Emulator) SetFault(f func(service, action string) error) {
	e.mu.Lock()
	e.fault = f
	e.mu.Unlock()
}

// Calls returns how many times each action was called, keyed "iam:CreateRole",
// "sts:GetCallerIdentity", "eks:DescribeCluster". Failed calls count too: AWS
// bills and throttles them alike.
func (e *Emulator) Calls() map[string]int {
	return e.copyCounter(func() map[string]int { return e.calls })
}

// Writes is Calls restricted to mutating actions, so a test can assert that a
// no-op run wrote nothing.
func (e *Emulator) Writes() map[string]int {
	return e.copyCounter(func() map[string]int { return e.writes })
}

// ResetCalls zeroes Calls and Writes.
func (e *Emulator) ResetCalls() {
	e.mu.Lock()
	e.calls, e.writes = map[string]int{}, map[string]int{}
	e.mu.Unlock()
}

func (e *Emulator) copyCounter(get func() map[string]int) map[string]int {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]int, len(get()))
	for k, v := range get() {
		out[k] = v
	}
	return out
}

// call is one authenticated request, handed to an action handler with the
// emulator lock held.
type call struct {
	service, action, region string
	form                    url.Values
	caller                  *principal
	acct                    *account
	path                    string
	// EKS only: the decoded path labels (clusterName, associationId, …),
	// the query string and the JSON body.
	labels map[string]string
	query  url.Values
	body   []byte
	// partition is the partition of the caller's account for this request.
	partition string
}

func (e *Emulator) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if e.opts.Latency > 0 {
		select {
		case <-time.After(e.opts.Latency):
		case <-r.Context().Done():
			return
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	auth, authErr := parseAuthorization(r)
	service := auth.service
	if service == "" {
		service = guessService(r)
	}
	c := &call{service: service, region: auth.region, path: r.URL.Path}
	if service == "eks" {
		c.action, c.labels = eksRoute(r)
		c.query, c.body = r.URL.Query(), body
	} else {
		c.form = r.URL.Query()
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			f, perr := url.ParseQuery(string(body))
			if perr != nil {
				e.writeError(w, c, errf(400, "MalformedQueryString", "%v", perr))
				return
			}
			for k, v := range f {
				c.form[k] = append(c.form[k], v...)
			}
		}
		c.action = c.form.Get("Action")
	}
	// AssumeRoleWithWebIdentity is the one action called without a
	// signature: the token is the credential (STS API reference).
	anonymous := service != "eks" && c.action == "AssumeRoleWithWebIdentity" && r.Header.Get("Authorization") == ""
	if anonymous {
		service, c.service, authErr = "sts", "sts", nil
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	e.reqSeq++
	if c.action != "" {
		key := service + ":" + c.action
		e.calls[key]++
		if isWrite(c.action) {
			e.writes[key]++
		}
	}
	if authErr != nil {
		e.writeError(w, c, authErr)
		return
	}
	if anonymous {
		c.partition = partitionOfRegion(auth.region)
	} else if err := e.authenticate(r, body, auth, c); err != nil {
		e.writeError(w, c, err)
		return
	}
	if !anonymous {
		if err := e.authorize(c); err != nil {
			e.writeError(w, c, err)
			return
		}
	}
	h, ok := handlers[service][c.action]
	if !ok {
		if service == "eks" {
			e.writeError(w, c, errf(404, "UnknownOperationException", "Unknown operation %s %s", r.Method, r.URL.Path))
			return
		}
		e.writeError(w, c, errf(400, "InvalidAction", "Could not find operation %s for version %s", c.action, c.form.Get("Version")))
		return
	}
	if fault := e.fault; fault != nil {
		// The hook runs without the lock, so a hook that sleeps (latency,
		// a hung call) delays only its own request.
		e.mu.Unlock()
		ferr := fault(service, c.action)
		e.mu.Lock()
		if ferr != nil {
			e.writeError(w, c, ferr)
			return
		}
	}
	res, err := h(e, c)
	if err != nil {
		e.writeError(w, c, err)
		return
	}
	if service == "eks" {
		writeJSON(w, http.StatusOK, res)
		return
	}
	e.writeQueryResult(w, c, res)
}

// guessService routes a request that carries no usable signature, only so
// that the error comes back in the protocol the client can parse.
func guessService(r *http.Request) string {
	if strings.HasPrefix(r.URL.Path, "/clusters") {
		return "eks"
	}
	return "iam"
}

// handler runs one action with the emulator lock held. Its result is an XML
// result struct for awsQuery services (nil for actions without a result) or a
// JSON-marshalable value for EKS.
type handler func(e *Emulator, c *call) (any, error)

// handlers is filled by the init functions of the per-service files.
var handlers = map[string]map[string]handler{"iam": {}, "sts": {}, "eks": {}}

var writePrefixes = []string{"Create", "Delete", "Put", "Update", "Attach", "Detach", "Tag", "Untag", "Add", "Remove", "Set"}

func isWrite(action string) bool {
	for _, p := range writePrefixes {
		if strings.HasPrefix(action, p) {
			return true
		}
	}
	return false
}

func (e *Emulator) now() time.Time { return e.opts.Now().UTC() }

// asAPIError turns any error into the AWS error the caller will see.
func asAPIError(err error) *APIError {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	return &APIError{Status: 500, Code: "ServiceFailure", Message: err.Error()}
}
