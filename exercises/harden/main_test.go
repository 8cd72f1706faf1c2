package main

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestParseArgs(t *testing.T) {
	t.Setenv("PORT", "9999")
	t.Setenv("HOST", "")
	cfg, hc, err := parseArgs([]string{"-greeting=hi", "-log=json"})
	if err != nil || hc {
		t.Fatalf("parseArgs: %v %v", err, hc)
	}
	if cfg.greeting != "hi" || !cfg.logJSON || cfg.port != "9999" || cfg.host != "0.0.0.0" {
		t.Errorf("unexpected config %+v", cfg)
	}
	if _, hc, _ := parseArgs([]string{"-healthcheck"}); !hc {
		t.Error("-healthcheck not recognised")
	}
	if _, _, err := parseArgs([]string{"-log=xml"}); err == nil {
		t.Error("-log=xml accepted")
	}
	if _, _, err := parseArgs([]string{"serve"}); err == nil {
		t.Error("stray argument accepted")
	}
}

func TestRoutes(t *testing.T) {
	srv := httptest.NewServer(newMux(config{greeting: "hey"}))
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st status
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil || st.Greeting != "hey" {
		t.Errorf("/ = %+v, %v", st, err)
	}

	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	if err := probe(port); err != nil {
		t.Errorf("probe: %v", err)
	}
}
