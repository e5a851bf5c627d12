package witness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/candor-observatory/candor/internal/ledger"
	"github.com/candor-observatory/candor/internal/ledger/c2sp"
	"golang.org/x/mod/sumdb/note"
)

// Remote is a witness the log submits its checkpoints to.
type Remote struct {
	// URL is the witness's submission prefix; requests go to URL/add-checkpoint.
	URL      string
	Verifier *c2sp.CosignatureVerifier
}

// ParseRemote reads "URL=vkey" (the witness's cosignature/v1 verifier key).
func ParseRemote(s string) (Remote, error) {
	u, k, ok := strings.Cut(s, "=")
	if !ok || u == "" {
		return Remote{}, fmt.Errorf("witness %q: want URL=verifier-key", s)
	}
	v, err := c2sp.NewCosignatureVerifier(k)
	if err != nil {
		return Remote{}, fmt.Errorf("witness %s: %w", u, err)
	}
	return Remote{URL: strings.TrimSuffix(u, "/"), Verifier: v}, nil
}

// Client gathers cosignatures from witnesses. It implements ledger.Cosigner.
type Client struct {
	Witnesses []Remote
	// HTTP is the client used for requests; http.DefaultClient when nil.
	HTTP *http.Client
	// Timeout bounds each witness; one that stalls does not hold up the others.
	Timeout time.Duration

	mu    sync.Mutex
	known map[string]int64 // the size each witness last cosigned
}

// Cosign submits the signed checkpoint to every witness at once and returns
// it with the cosignatures that came back and verified. Witnesses that failed
// are reported in the error; the checkpoint is returned all the same.
func (c *Client) Cosign(ctx context.Context, signed []byte, prove func(ctx context.Context, oldSize int64) ([]ledger.Hash, error)) ([]byte, error) {
	text, _, ok := bytes.Cut(signed, []byte("\n\n"))
	if !ok {
		return nil, errors.New("witness: checkpoint has no signatures")
	}
	text = append(text, '\n')
	cp, err := c2sp.ParseCheckpoint(text)
	if err != nil {
		return nil, err
	}
	type result struct {
		line []byte
		err  error
	}
	results := make([]result, len(c.Witnesses))
	var wg sync.WaitGroup
	for i, w := range c.Witnesses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			timeout := c.Timeout
			if timeout == 0 {
				timeout = 10 * time.Second
			}
			ctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			line, err := c.cosignOne(ctx, w, signed, text, cp.Size, prove)
			if err != nil {
				err = fmt.Errorf("witness %s: %w", w.URL, err)
			}
			results[i] = result{line, err}
		}()
	}
	wg.Wait()
	out := append([]byte(nil), signed...)
	var errs []error
	for _, r := range results {
		if r.err != nil {
			errs = append(errs, r.err)
			continue
		}
		out = append(out, r.line...)
	}
	return out, errors.Join(errs...)
}

func (c *Client) cosignOne(ctx context.Context, w Remote, signed, text []byte, size int64, prove func(context.Context, int64) ([]ledger.Hash, error)) ([]byte, error) {
	c.mu.Lock()
	old := c.known[w.URL]
	c.mu.Unlock()
	for attempt := 0; attempt < 2; attempt++ {
		if old > size {
			return nil, fmt.Errorf("witness has cosigned size %d, larger than this checkpoint's %d", old, size)
		}
		proof, err := prove(ctx, old)
		if err != nil {
			return nil, err
		}
		req := c2sp.AddCheckpoint{OldSize: old, Checkpoint: signed}
		for _, h := range proof {
			req.Proof = append(req.Proof, h)
		}
		status, ctype, body, err := c.post(ctx, w.URL+"/add-checkpoint", req.Marshal())
		if err != nil {
			return nil, err
		}
		switch {
		case status == http.StatusOK:
			line, err := verifyCosignature(w, text, body)
			if err != nil {
				return nil, err
			}
			c.mu.Lock()
			if c.known == nil {
				c.known = map[string]int64{}
			}
			c.known[w.URL] = size
			c.mu.Unlock()
			return line, nil
		case status == http.StatusConflict && ctype == "text/x.tlog.size":
			n, err := parseSize(body)
			if err != nil {
				return nil, fmt.Errorf("409 with unreadable size: %w", err)
			}
			old = n
		default:
			return nil, fmt.Errorf("%d: %s", status, strings.TrimSpace(string(body)))
		}
	}
	return nil, errors.New("witness keeps reporting a different size")
}

func (c *Client) post(ctx context.Context, url string, body []byte) (int, string, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(body))
	if err != nil {
		return 0, "", nil, err
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, resp.Header.Get("Content-Type"), b, err
}

// verifyCosignature keeps the response lines that are valid cosignatures by
// w over the checkpoint text.
func verifyCosignature(w Remote, text, body []byte) ([]byte, error) {
	n, err := note.Open(append(append(append([]byte(nil), text...), '\n'), body...), note.VerifierList(w.Verifier))
	if err != nil {
		return nil, fmt.Errorf("response is not a valid cosignature: %w", err)
	}
	var out []byte
	for _, s := range n.Sigs {
		out = append(out, "— "+s.Name+" "+s.Base64+"\n"...)
	}
	return out, nil
}
