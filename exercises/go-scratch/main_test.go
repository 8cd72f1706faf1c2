package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestGreet(t *testing.T) {
	cases := map[string]string{
		"Ada":                   "Hello, Ada!",
		"  ":                    "Hello, world!",
		"":                      "Hello, world!",
		strings.Repeat("x", 50): "Hello, " + strings.Repeat("x", 40) + "!",
	}
	for in, want := range cases {
		if got := greet(in); got != want {
			t.Errorf("greet(%q) = %q, want %q", in, got, want)
		}
	}
}

func get(t *testing.T, srv *httptest.Server, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestRoutes(t *testing.T) {
	srv := httptest.NewServer(newMux())
	defer srv.Close()

	if code, body := get(t, srv, "/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	if code, body := get(t, srv, "/?name=Grace"); code != 200 || !strings.HasPrefix(body, "Hello, Grace!") {
		t.Errorf("/ = %d %q", code, body)
	}
	if code, body := get(t, srv, "/info"); code != 200 || !strings.Contains(body, "ca_bundle=") {
		t.Errorf("/info = %d %q", code, body)
	}
	if code, _ := get(t, srv, "/nope"); code != 404 {
		t.Errorf("/nope = %d, want 404", code)
	}
}

func TestProbe(t *testing.T) {
	srv := httptest.NewServer(newMux())
	defer srv.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	if err := probe(port); err != nil {
		t.Errorf("probe of a healthy server: %v", err)
	}

	down := httptest.NewServer(http.NotFoundHandler())
	_, downPort, _ := net.SplitHostPort(strings.TrimPrefix(down.URL, "http://"))
	down.Close()
	if err := probe(downPort); err == nil {
		t.Error("probe of a stopped server succeeded")
	}
}
