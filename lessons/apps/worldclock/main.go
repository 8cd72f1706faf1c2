// Command worldclock prints one instant in several time zones, and how many CA certificates the system
// offers for TLS. Both need files a `scratch` image does not have: the zoneinfo database and the CA bundle.
//
//	worldclock [-at 2026-01-01T12:00:00Z] [ZONE ...]
//
// It exits 1 when a zone cannot be loaded.
package main

import (
	"crypto/x509"
	"flag"
	"fmt"
	"os"
	"time"
)

// describe gives the wall-clock time of `at` in the named zone.
func describe(zone string, at time.Time) (string, error) {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return "", err
	}
	return at.In(loc).Format("2006-01-02 15:04 MST"), nil
}

// caCertificates counts the certificates in the system pool: the ones a TLS client trusts by default.
func caCertificates() int {
	pool, err := x509.SystemCertPool()
	if err != nil {
		return 0
	}
	return len(pool.Subjects()) //nolint:staticcheck // a count is all this needs
}

func main() {
	atFlag := flag.String("at", "", "the instant to show, RFC 3339 (default: now)")
	flag.Parse()
	at := time.Now()
	if *atFlag != "" {
		parsed, err := time.Parse(time.RFC3339, *atFlag)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bad -at:", err)
			os.Exit(2)
		}
		at = parsed
	}
	zones := flag.Args()
	if len(zones) == 0 {
		zones = []string{"UTC", "Europe/Paris", "Asia/Tokyo"}
	}
	failed := false
	for _, zone := range zones {
		text, err := describe(zone, at)
		if err != nil {
			fmt.Printf("%-16s error: %v\n", zone, err)
			failed = true
			continue
		}
		fmt.Printf("%-16s %s\n", zone, text)
	}
	fmt.Printf("CA certificates: %d\n", caCertificates())
	if failed {
		os.Exit(1)
	}
}
