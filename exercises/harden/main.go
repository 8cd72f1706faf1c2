// Command server is a small status service used to practise hardening a runtime stage.
//
// Configuration: HOST and PORT (defaults 0.0.0.0 and 8080) from the environment, and flags:
//
//	-greeting text   the message served on / (default "hello")
//	-log text|json   log format (default text)
//	-healthcheck     probe http://127.0.0.1:$PORT/healthz and exit 0 (healthy) or 1, instead of serving
//
// Routes: / (JSON status, including the user id the process runs as), /healthz ("ok").
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

type config struct {
	greeting string
	logJSON  bool
	host     string
	port     string
}

type status struct {
	Service  string `json:"service"`
	Greeting string `json:"greeting"`
	UID      int    `json:"uid"`
	GID      int    `json:"gid"`
}

func getenv(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// parseArgs reads the flags; the boolean result asks for a health probe instead of serving.
func parseArgs(args []string) (config, bool, error) {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	greeting := fs.String("greeting", "hello", "message served on /")
	logFormat := fs.String("log", "text", "log format: text or json")
	healthcheck := fs.Bool("healthcheck", false, "probe the running instance and exit")
	if err := fs.Parse(args); err != nil {
		return config{}, false, err
	}
	if *logFormat != "text" && *logFormat != "json" {
		return config{}, false, fmt.Errorf("-log must be text or json, not %q", *logFormat)
	}
	if fs.NArg() > 0 {
		return config{}, false, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	cfg := config{
		greeting: *greeting,
		logJSON:  *logFormat == "json",
		host:     getenv("HOST", "0.0.0.0"),
		port:     getenv("PORT", "8080"),
	}
	return cfg, *healthcheck, nil
}

func newMux(cfg config) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(status{
			Service:  "stagewise-harden",
			Greeting: cfg.greeting,
			UID:      os.Getuid(),
			GID:      os.Getgid(),
		})
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
	cfg, healthcheck, err := parseArgs(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if healthcheck {
		if err := probe(cfg.port); err != nil {
			fmt.Fprintln(os.Stderr, "unhealthy:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}

	var logger *slog.Logger
	if cfg.logJSON {
		logger = slog.New(slog.NewJSONHandler(os.Stdout, nil))
	} else {
		logger = slog.New(slog.NewTextHandler(os.Stdout, nil))
	}

	srv := &http.Server{
		Addr:              net.JoinHostPort(cfg.host, cfg.port),
		Handler:           newMux(cfg),
		ReadHeaderTimeout: 5 * time.Second,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		logger.Info("shutting down")
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()

	logger.Info("listening", "addr", srv.Addr, "uid", os.Getuid())
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Error("serve", "err", err)
		os.Exit(1)
	}
}
