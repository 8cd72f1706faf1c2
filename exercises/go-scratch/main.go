// Command server is a small HTTP service built to run in an empty (scratch) image.
//
// It listens on HOST:PORT (defaults 0.0.0.0 and 8080) and serves:
//
//	/          a greeting, with ?name=
//	/healthz   "ok"
//	/info      what the runtime image provides (user id, CA bundle)
//
// Run with -healthcheck to probe a running instance instead: it requests
// http://127.0.0.1:$PORT/healthz and exits 0 if that answers 200, 1 otherwise. This is how a
// HEALTHCHECK works in an image that has no shell, no curl and no wget.
package main

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"
)

func getenv(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// greet builds the greeting for a name; empty names become "world" and long ones are cut.
func greet(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "world"
	}
	if len(name) > 40 {
		name = name[:40]
	}
	return "Hello, " + name + "!"
}

// caBundleLoaded reports whether the system certificate pool has any certificates,
// i.e. whether outbound HTTPS could verify a server in this image.
func caBundleLoaded() bool {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		return false
	}
	// Subjects is deprecated for pools from SystemCertPool, but still counts the loaded bundle.
	//nolint:staticcheck
	return len(pool.Subjects()) > 0
}

func newMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /info", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "go=%s uid=%d gid=%d ca_bundle=%t\n", runtime.Version(), os.Getuid(), os.Getgid(), caBundleLoaded())
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s (from a scratch image, %s)\n", greet(r.URL.Query().Get("name")), runtime.Version())
	})
	return mux
}

// probe requests /healthz on the local instance and returns nil if it answered 200.
func probe(port string) error {
	client := http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get("http://" + net.JoinHostPort("127.0.0.1", port) + "/healthz")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthz answered %d", resp.StatusCode)
	}
	return nil
}

func main() {
	healthcheck := flag.Bool("healthcheck", false, "probe the running instance on 127.0.0.1:$PORT and exit")
	flag.Parse()

	host := getenv("HOST", "0.0.0.0")
	port := getenv("PORT", "8080")

	if *healthcheck {
		if err := probe(port); err != nil {
			fmt.Fprintln(os.Stderr, "unhealthy:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}

	srv := &http.Server{
		Addr:              net.JoinHostPort(host, port),
		Handler:           newMux(),
		ReadHeaderTimeout: 5 * time.Second,
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()

	log.Printf("listening on %s", srv.Addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
