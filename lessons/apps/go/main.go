// Command hello is a tiny web service that needs nothing but itself at run time.
//
// It listens on HOST:PORT (default 0.0.0.0:8080): "/" greets, "/health" answers "ok".
// Run with -healthcheck to probe a running instance instead (exit 0 when /health answers 200):
// that is how a HEALTHCHECK works in an image with no shell, no curl and no wget.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"runtime"
)

func getenv(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func main() {
	probe := flag.Bool("healthcheck", false, "request /health on the running server and exit 0 if it answers")
	flag.Parse()
	port := getenv("PORT", "8080")
	if *probe {
		resp, err := http.Get("http://127.0.0.1:" + port + "/health")
		if err != nil || resp.StatusCode != http.StatusOK {
			fmt.Fprintln(os.Stderr, "unhealthy:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	http.HandleFunc("/health", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "hello from go, built with %s, running as uid %d\n", runtime.Version(), os.Getuid())
	})
	addr := getenv("HOST", "0.0.0.0") + ":" + port
	log.Printf("listening on %s", addr)
	log.Fatal(http.ListenAndServe(addr, nil))
}
