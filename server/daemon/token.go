package daemon

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Token is the bearer token control RPCs must present. Only its digest is
// kept, and comparison is in constant time over equal-length digests, so
// neither timing nor length tells an attacker anything.
type Token struct {
	digest [sha256.Size]byte
}

// Matches reports whether presented is the token.
func (t Token) Matches(presented string) bool {
	d := sha256.Sum256([]byte(presented))
	return subtle.ConstantTimeCompare(d[:], t.digest[:]) == 1
}

// LoadOrCreateToken reads the token at path, creating the file with a fresh
// random token (mode 0600, directory 0700) if it does not exist. The file is
// written to a temporary name and renamed, so a crash never leaves a
// half-written token, and a concurrent creator's token is never overwritten.
func LoadOrCreateToken(path string) (Token, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		return parseToken(path, b)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return Token{}, fmt.Errorf("reading token file: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return Token{}, fmt.Errorf("creating token directory: %w", err)
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return Token{}, err
	}
	tok := base64.RawURLEncoding.EncodeToString(raw[:])
	tmp, err := os.CreateTemp(filepath.Dir(path), ".token-*")
	if err != nil {
		return Token{}, fmt.Errorf("writing token file: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return Token{}, err
	}
	if _, err := tmp.WriteString(tok + "\n"); err != nil {
		tmp.Close()
		return Token{}, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return Token{}, err
	}
	if err := tmp.Close(); err != nil {
		return Token{}, err
	}
	// Link, not rename: it fails if another daemon created the file
	// meanwhile, and then that token is the one both must use.
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return LoadOrCreateToken(path)
		}
		return Token{}, fmt.Errorf("writing token file: %w", err)
	}
	return Token{digest: digest(tok)}, nil
}

func parseToken(path string, b []byte) (Token, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Token{}, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return Token{}, fmt.Errorf("token file %s is readable by others (mode %v): chmod 600 it", path, fi.Mode().Perm())
	}
	tok := strings.TrimSpace(string(b))
	if len(tok) < 16 {
		return Token{}, fmt.Errorf("token file %s holds a token shorter than 16 characters", path)
	}
	return Token{digest: digest(tok)}, nil
}

func digest(tok string) [sha256.Size]byte { return sha256.Sum256([]byte(tok)) }
