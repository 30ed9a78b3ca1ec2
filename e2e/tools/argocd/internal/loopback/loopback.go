// Package loopback holds the one rule every server of the e2e environment keeps: it listens on
// this machine's loopback interface only.
package loopback

import (
	"fmt"
	"net"
)

// Check refuses an address that is not a loopback IP with a port.
func Check(address string) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%q is not a loopback IP address", host)
	}
	return nil
}
