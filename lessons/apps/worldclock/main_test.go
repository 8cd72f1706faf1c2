package main

import (
	"os"
	"testing"
	"time"
)

func TestDescribe(t *testing.T) {
	at := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for zone, want := range map[string]string{
		"UTC":          "2026-01-01 12:00 UTC",
		"Europe/Paris": "2026-01-01 13:00 CET",
		"Asia/Tokyo":   "2026-01-01 21:00 JST",
	} {
		got, err := describe(zone, at)
		if err != nil || got != want {
			t.Errorf("describe(%q) = %q, %v; want %q", zone, got, err, want)
		}
	}
}

func TestUnknownZone(t *testing.T) {
	if _, err := describe("Mars/Olympus_Mons", time.Now()); err == nil {
		t.Error("an unknown zone must be an error")
	}
}

// TestFailOnPurpose lets lesson 7 show what a failing test does to a build: it fails only when asked to.
func TestFailOnPurpose(t *testing.T) {
	if os.Getenv("FAIL_ON_PURPOSE") != "" {
		t.Fatal("failing on purpose: FAIL_ON_PURPOSE is set")
	}
}
