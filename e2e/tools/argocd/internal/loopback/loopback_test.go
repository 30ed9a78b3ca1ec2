package loopback

import "testing"

func TestCheck(t *testing.T) {
	for address, allowed := range map[string]bool{
		"127.0.0.1:6379": true,
		"127.9.9.9:1":    true,
		"[::1]:443":      true,
		"0.0.0.0:6379":   false, // every interface
		"[::]:6379":      false,
		":6379":          false, // Go's "every interface" too
		"10.0.0.1:6379":  false,
		"localhost:6379": false, // a name may resolve beyond loopback
		"127.0.0.1":      false, // no port
		"":               false,
	} {
		if err := Check(address); (err == nil) != allowed {
			t.Errorf("Check(%q) = %v, want allowed %v", address, err, allowed)
		}
	}
}
