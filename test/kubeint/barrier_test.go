package kubeint

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// barrier opens once n parties have arrived, or fails them after a timeout:
// proof that n things were in flight at once.
type barrier struct {
	mu      sync.Mutex
	arrived int
	open    chan struct{}
	n       int
}

func newBarrier(n int) *barrier { return &barrier{n: n, open: make(chan struct{})} }

func (b *barrier) arrive(timeout time.Duration) bool {
	b.mu.Lock()
	b.arrived++
	if b.arrived == b.n {
		close(b.open)
	}
	b.mu.Unlock()
	select {
	case <-b.open:
		return true
	case <-time.After(timeout):
		return false
	}
}

// gatedProxy forwards TCP connections to target; the first connection waits
// at the barrier before any byte is forwarded. It returns the proxy's
// address and a function reporting whether the barrier timed out.
func gatedProxy(t *testing.T, target string, b *barrier) (addr string, timedOut func() bool) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		once   sync.Once
		failed bool
		mu     sync.Mutex
		wg     sync.WaitGroup
		conns  []net.Conn
	)
	// Clients keep idle connections open: close them, or Wait would last
	// until the client's idle timeout.
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			once.Do(func() {
				if !b.arrive(10 * time.Second) {
					mu.Lock()
					failed = true
					mu.Unlock()
				}
			})
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				up, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer up.Close()
				done := make(chan struct{}, 2)
				go func() { _, _ = io.Copy(up, c); done <- struct{}{} }()
				go func() { _, _ = io.Copy(c, up); done <- struct{}{} }()
				<-done
			}()
		}
	}()
	return ln.Addr().String(), func() bool { mu.Lock(); defer mu.Unlock(); return failed }
}
